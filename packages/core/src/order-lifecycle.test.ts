import { describe, expect, it } from "vitest";
import { isDomainError } from "./errors.js";
import { daysPastDue, formatOrderNumber, nextOrderStatus, ORDER_ACTIONS, ORDER_STATUSES, orderDates, transitionOrder } from "./order-lifecycle.js";

describe("order lifecycle", () => {
  it("allows exactly the documented transitions", () => {
    const allowed: string[] = [];
    for (const status of ORDER_STATUSES) {
      for (const action of ORDER_ACTIONS) {
        const to = nextOrderStatus(status, action);
        if (to) allowed.push(`${status}-${action}->${to}`);
      }
    }
    expect(allowed.sort()).toEqual(
      [
        "PENDING-accept->ACCEPTED",
        "ACCEPTED-dispatch->DISPATCHED",
        "DISPATCHED-deliver->DELIVERED",
        "PENDING-cancel->CANCELLED",
        "ACCEPTED-cancel->CANCELLED",
        "PENDING-reject->REJECTED",
        "ACCEPTED-reject->REJECTED",
      ].sort(),
    );
  });

  it("throws invalid_transition naming the order and its state", () => {
    try {
      transitionOrder("DELIVERED", "cancel", "ORD260210001");
      expect.unreachable();
    } catch (error) {
      expect(isDomainError(error, "invalid_transition")).toBe(true);
      expect((error as Error).message).toContain("ORD260210001");
      expect((error as Error).message).toContain("DELIVERED");
    }
  });

  it("numbers orders ORD + yyMMdd + at least three digits", () => {
    expect(formatOrderNumber("2026-02-10", 1)).toBe("ORD260210001");
    expect(formatOrderNumber("2026-02-10", 42)).toBe("ORD260210042");
    expect(formatOrderNumber("2026-12-31", 12345)).toBe("ORD26123112345");
    expect(() => formatOrderNumber("2026-02-10", 0)).toThrow();
  });

  it("promises next-day delivery and a due date a credit term later; counts days past due", () => {
    expect(orderDates("2026-02-10")).toEqual({ expectedDeliveryDate: "2026-02-11", dueDate: "2026-03-13" });
    expect(daysPastDue({ dueDate: "2026-03-01", duePaisa: 500, today: "2026-03-04" })).toBe(3);
    expect(daysPastDue({ dueDate: "2026-03-01", duePaisa: 500, today: "2026-02-20" })).toBe(0);
    expect(daysPastDue({ dueDate: "2026-03-01", duePaisa: 0, today: "2026-03-04" })).toBe(0);
    expect(daysPastDue({ dueDate: null, duePaisa: 10, today: "2026-03-04" })).toBe(0);
  });
});
