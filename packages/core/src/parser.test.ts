import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCatalogIndex, searchCatalog } from "./catalog-index.js";
import type { CatalogProduct } from "./catalog-index.js";
import { romanizeDevanagari } from "./nepali-numbers.js";
import { MAX_MESSAGE_LENGTH, parseMessage, toParseContractLine } from "./parser.js";
import { parseQuantityUnit } from "./units.js";

const product = (sku: string, name: string, unit: string, aliases: string[] = []): CatalogProduct => ({ sku, name, unit, pricePaisa: 10_000, aliases });

// A small catalog written here so the unit tests do not depend on the example file.
const catalog: CatalogProduct[] = [
  product("SUGAR-KG", "Sugar (per kg)", "kg", ["chini", "चिनी"]),
  product("SUGAR-1KG", "Sugar 1kg Packet", "packet", ["chini packet"]),
  product("SALT-1KG", "Salt 1kg Packet", "packet", ["nun", "नुन"]),
  product("RICE-25KG", "Jeera Masino Rice 25kg Bora", "bag", ["chamal", "jeera masino"]),
  product("RICE-30KG", "Jeera Masino Rice 30kg Bora", "bag", ["chamal", "jeera masino"]),
  product("COKE-250", "Coca-Cola 250ml Bottle", "bottle", ["coke"]),
  product("COKE-500", "Coca-Cola 500ml Bottle", "bottle", ["coke"]),
  product("COKE-1500", "Coca-Cola 1.5L Bottle", "bottle", ["coke"]),
  product("OIL-1L", "Mustard Oil 1L Pouch", "piece", ["tori tel"]),
  product("OIL-15L", "Mustard Oil 15L Tin", "tin", ["tori tel"]),
  product("NOODLE-PKT", "Wai Wai Noodles Packet", "packet", []),
  product("NOODLE-CTN", "Wai Wai Noodles Carton (30 packets)", "carton", []),
  product("PASTE", "Colgate Toothpaste 150g", "piece", []),
  product("SURF", "Surf Excel 1kg", "packet", []),
  product("PARLE", "Parle-G Biscuit Packet", "packet", []),
  product("EGG-TRAY", "Eggs Tray (30 eggs)", "tray", ["anda", "अण्डा"]),
];
const index = buildCatalogIndex(catalog);
const lines = (text: string) => parseMessage(text, index).items.map((i) => `${i.sku}*${i.quantity}`);

describe("parseMessage", () => {
  it("reads the code format in every spelling", () => {
    for (const text of ["SUGAR-KG x 10", "SUGAR-KG x10", "SUGAR-KG * 10", "10 x SUGAR-KG", "SUGAR-KG 10", "SUGAR-KG: 10", "SUGAR-KG × 10"]) {
      expect(lines(text), text).toEqual(["SUGAR-KG*10"]);
    }
  });

  it("reads romanized Nepali number words, Devanagari digits and words", () => {
    expect(lines("chini das kg ra nun panch packet")).toEqual(["SUGAR-KG*10", "SALT-1KG*5"]);
    expect(lines("चिनी १० केजी")).toEqual(["SUGAR-KG*10"]);
    expect(lines("नुन ५ प्याकेट")).toEqual(["SALT-1KG*5"]);
    expect(lines("anda dui tray")).toEqual(["EGG-TRAY*2"]);
  });

  it("matches typos and sound-alike brand spellings without aliases", () => {
    expect(lines("colget 5 pcs")).toEqual(["PASTE*5"]);
    expect(lines("surf exel 3 packet")).toEqual(["SURF*3"]);
    expect(lines("parlay g 4 packet")).toEqual(["PARLE*4"]);
    expect(lines("wye wye 2 ctn")).toEqual(["NOODLE-CTN*2"]);
    expect(lines("waiwai 20 packet")).toEqual(["NOODLE-PKT*20"]);
  });

  it("counts sale units of the chosen SKU", () => {
    expect(lines("10 kg chini")).toEqual(["SUGAR-KG*10"]); // a per-kg SKU exists
    expect(lines("nun 10 kg")).toEqual(["SALT-1KG*10"]); // only 1 kg packets: 10 packets
    expect(lines("chini 5 packet")).toEqual(["SUGAR-1KG*5"]);
    expect(lines("wai wai 60 packet")).toEqual(["NOODLE-PKT*60"]);
    expect(lines("anda 30 wota")).toEqual(["EGG-TRAY*1"]);
  });

  it("leaves quantities that the sale unit cannot express unresolved instead of rounding", () => {
    const parsed = parseMessage("chini 2.5 kg", index);
    expect(parsed.items).toEqual([]);
    expect(parsed.unresolved).toMatchObject([{ reason: "unit_mismatch", quantity: 2.5 }]);
    expect(parseMessage("nun 500 g", index).unresolved[0]?.reason).toBe("unit_mismatch");
    expect(parseMessage("anda 20 wota", index).unresolved[0]?.reason).toBe("unit_mismatch");
  });

  it("lets a size in the text choose the variant", () => {
    expect(lines("coke 500ml 12")).toEqual(["COKE-500*12"]);
    expect(lines("chamal 25kg bora 2")).toEqual(["RICE-25KG*2"]);
    expect(lines("tori tel 15L tin 2")).toEqual(["OIL-15L*2"]);
    expect(parseMessage("coke 2 litre 6", index).unresolved[0]?.reason).toBe("unit_mismatch");
  });

  it("keeps equal fits unresolved with every fitting SKU as a candidate", () => {
    const parsed = parseMessage("coke 5", index);
    expect(parsed.items).toEqual([]);
    expect(parsed.unresolved).toHaveLength(1);
    expect(parsed.unresolved[0]?.reason).toBe("ambiguous");
    expect([...(parsed.unresolved[0]?.candidates ?? [])].sort()).toEqual(["COKE-1500", "COKE-250", "COKE-500"]);
    expect(parseMessage("chamal 2 bora", index).unresolved[0]?.candidates.sort()).toEqual(["RICE-25KG", "RICE-30KG"]);
  });

  it("never matches a product the catalog does not carry", () => {
    for (const text of ["pepsi 12", "okra 5 kg", "maggi 2 carton", "green tea 5 packet", "brown rice 2 kg"]) {
      const parsed = parseMessage(text, index);
      expect(parsed.items, text).toEqual([]);
      expect(parsed.unresolved.map((u) => u.reason), text).toEqual(["unknown_product"]);
    }
  });

  it("ignores greetings, notes, emojis, prices, numbering and reads several items per line", () => {
    const text = "namaste dai 🙏\n1. chini 10 kg Rs.1120\n2) nun 5 packet @ 25\n• coke 500ml 12 + anda 2 tray\nbholi pathaunu hai, 8 baje samma";
    expect(lines(text)).toEqual(["SUGAR-KG*10", "SALT-1KG*5", "COKE-500*12", "EGG-TRAY*2"]);
    expect(lines("chini 10 kg, nun 5 packet and coke 500ml 6 / anda 1 tray ra chini 5 packet")).toEqual([
      "SUGAR-KG*10",
      "SALT-1KG*5",
      "COKE-500*6",
      "EGG-TRAY*1",
      "SUGAR-1KG*5",
    ]);
  });

  it("does not let a size choose between brands that share a generic alias", () => {
    const oils = buildCatalogIndex([
      product("DHARA-1L", "Dhara Mustard Oil 1L", "bottle", ["tel", "dhara"]),
      product("DHARA-5L", "Dhara Mustard Oil 5L", "jar", ["tel", "dhara"]),
      product("FORTUNE-1L", "Fortune Soyabean Oil 1L", "bottle", ["tel", "fortune"]),
      product("SUGAR-KG", "Sugar (loose)", "kg", ["chini"]),
      product("SUGAR-1KG", "Sugar 1kg", "packet", ["chini"]),
    ]);
    const tel = parseMessage("tel 5 litre", oils);
    expect(tel.items).toEqual([]);
    expect(tel.unresolved[0]).toMatchObject({ reason: "ambiguous" });
    expect([...(tel.unresolved[0]?.candidates ?? [])].sort()).toEqual(["DHARA-1L", "DHARA-5L", "FORTUNE-1L"]);
    // Within one brand, or between "Sugar" and "Sugar (loose)", the size still decides.
    expect(parseMessage("dhara 5 litre", oils).items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["DHARA-5L*1"]);
    expect(parseMessage("chini 10 kg", oils).items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["SUGAR-KG*10"]);
  });

  it("asks about one short word that only resembles a product instead of ordering it", () => {
    const spices = buildCatalogIndex([product("HALDI", "Turmeric Powder 200g", "packet", ["besar", "haldi"]), ...catalog]);
    const besan = parseMessage("besan 5 packet", spices);
    expect(besan.items).toEqual([]);
    expect(besan.unresolved[0]).toMatchObject({ reason: "unknown_product", candidates: ["HALDI"] });
    // Longer typos and exact short words still match.
    expect(parseMessage("haldi 5 packet, colget 2", spices).items.map((i) => i.sku)).toEqual(["HALDI", "PASTE"]);
  });

  it("reads Nepali 'pani' after a name as 'also', and a note before a colon as a note", () => {
    expect(lines("coke 500ml 2, chini pani 10 kg")).toEqual(["COKE-500*2", "SUGAR-KG*10"]);
    expect(lines("bholi bihanai pathaunu hai: chini 10 kg")).toEqual(["SUGAR-KG*10"]);
    expect(lines("chini: 10 kg")).toEqual(["SUGAR-KG*10"]);
  });

  it("reads Hindi-influenced and Devanagari phrasings, higher number words and names with '&'", () => {
    const shop = buildCatalogIndex([
      product("LIZOL-500", "Lizol Floor Cleaner 500ml", "bottle", ["lizol"]),
      product("FAIR-50", "Fair & Lovely Cream 50g", "piece", []),
      product("DAL-MASOOR", "Masoor Dal", "kg", ["masuro", "मसुरो"]),
      product("DAL-MOONG", "Moong Dal", "kg", ["मुगी दाल"]),
      product("BULL-TRAY", "Red Bull Can (tray of 24)", "tray", ["redbull"]),
      ...catalog,
    ]);
    const read = (text: string) => parseMessage(text, shop).items.map((i) => `${i.sku}*${i.quantity}`);
    expect(read("lyzol 3 bottle")).toEqual(["LIZOL-500*3"]);
    expect(read("fair & lovely 6")).toEqual(["FAIR-50*6"]);
    expect(read("मसुरो दाल ५ किलो")).toEqual(["DAL-MASOOR*5"]);
    expect(read("redbull 48 wota")).toEqual(["BULL-TRAY*2"]);
    expect(read("parle g chaubis packet")).toEqual(["PARLE*24"]);
    expect(read("chini 10 kg 98 ko rate ma")).toEqual(["SUGAR-KG*10"]);
    expect(read("bhaiya 5 kg chini aur 2 nun bhej dena")).toEqual(["SUGAR-KG*5", "SALT-1KG*2"]);
    expect(parseMessage("अर्डर रद्द गर्नुहोस्", shop).intent).toBe("cancel");
    expect(parseMessage("kal wala saman abhi tak nahi aaya, kab tak aayega?", shop).intent).toBe("status");
    expect(parseMessage("पहिलेकै जस्तो अर्डर फेरि पठाउनुस्", shop).intent).toBe("reorder");
  });

  it("reads voice typing and fast thumbs: cases of drinks, spoken punctuation, split brand names", () => {
    const shop = buildCatalogIndex([
      product("COKE-500-CS", "Coca-Cola 500ml (case of 24)", "case", ["coke"]),
      product("BVT-500", "Bournvita 500g Jar", "jar", ["bournvita"]),
      product("CDM-50", "Cadbury Dairy Milk 50g", "piece", ["dairy milk"]),
      ...catalog,
    ]);
    const read = (text: string) => parseMessage(text, shop);
    expect(read("coke 500ml 2 case, chini 5 kg")).toMatchObject({ items: [{ sku: "COKE-500-CS", quantity: 2 }, { sku: "SUGAR-KG", quantity: 5 }], unresolved: [] });
    expect(read("chini twenty kg comma parle g two packet full stop").items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["SUGAR-KG*20", "PARLE*2"]);
    expect(read("born vita six jar").items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["BVT-500*6"]);
    // "silk" is not a second "milk": the product the catalog does not carry stays unresolved.
    const silk = read("dairy milk silk 10 wota, dairy milk 20 wota");
    expect(silk.items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["CDM-50*20"]);
    expect(silk.unresolved).toHaveLength(1);
    expect(read("thik cha, confirm garnus").intent).toBe("confirm");
    expect(read("ORDER AAJA AAUNCHA KI NAI?").intent).toBe("status");
    expect(read("aghi ko jastai order pathaidinu").intent).toBe("reorder");
  });

  it("reads a distributor's forwarded orders and Devanagari-only shopkeepers", () => {
    const shop = buildCatalogIndex([
      product("MATCH-BDL", "Gaida Matchbox (bundle of 10)", "bundle", ["salai", "matchbox"]),
      product("SURYA-PKT", "Surya Red 20s", "packet", ["surya", "churot"]),
      product("SURYA-CTN", "Surya Red 20s Carton (10 packets)", "carton", ["surya", "churot"]),
      product("SHIKHAR-PKT", "Shikhar Ice 20s", "packet", ["shikhar", "churot"]),
      ...catalog,
    ]);
    expect(parseMessage("salai 3 bundle, chini 5 kg", shop)).toMatchObject({ items: [{ sku: "MATCH-BDL", quantity: 3 }, { sku: "SUGAR-KG", quantity: 5 }], unresolved: [] });
    // Only Surya comes in cartons, but "churot" does not name a brand.
    const churot = parseMessage("churot 2 carton", shop);
    expect(churot.items).toEqual([]);
    expect(churot.unresolved[0]).toMatchObject({ reason: "ambiguous", candidates: ["SURYA-CTN", "SHIKHAR-PKT"], candidateQuantities: [2] });
    expect(parseMessage("surya 2 carton", shop).items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["SURYA-CTN*2"]);
    // An unknown code is not read as the letter P with a quantity of 9999.
    expect(parseMessage("P9999-GHEE-2L x 4\nchini 5 kg", shop).unresolved.map((u) => u.text)).not.toContain("p");
    expect(parseMessage("मेरो अर्डर कहिले आइपुग्छ?", shop).intent).toBe("status");
    expect(parseMessage("ठिक छ, पठाउनुहोस्", shop).intent).toBe("confirm");
    expect(parseMessage("अघिल्लो पटकको जस्तै अर्डर फेरि पठाइदिनुहोस्", shop).intent).toBe("reorder");
    expect(parseMessage("order kasari garne ho?", shop).intent).toBe("help");
  });

  it("reads slang, price asides and quantity phrases around items", () => {
    const shop = buildCatalogIndex([
      product("SNK-50", "Snickers 50g", "piece", ["snickers"]),
      product("BRU-100", "Bru Instant Coffee 100g", "jar", ["bru"]),
      product("FAIR-50", "Fair & Lovely Cream 50g", "piece", []),
      product("ATTA-5KG", "Atta 5kg Bag", "bag", ["pitho"]),
      ...catalog,
    ]);
    const read = (text: string) => parseMessage(text, shop);
    const lines = (text: string) => read(text).items.map((i) => `${i.sku}*${i.quantity}`);
    expect(read("bro pls send 2x snickers and 5 nun asap thnx")).toMatchObject({ items: [{ sku: "SNK-50", quantity: 2 }, { sku: "SALT-1KG", quantity: 5 }], unresolved: [] });
    expect(lines("Snickers 50g x 24")).toEqual(["SNK-50*24"]);
    expect(lines("send 4 snickers (120 each rite?) and 10 nun")).toEqual(["SNK-50*4", "SALT-1KG*10"]);
    expect(lines("half dozen snickers + a couple of nun")).toEqual(["SNK-50*6", "SALT-1KG*2"]);
    expect(lines("we r out of fair n lovely, send 6pc")).toEqual(["FAIR-50*6"]);
    expect(lines("pitho 5kg tin bora")).toEqual(["ATTA-5KG*3"]);
    expect(lines("For this week - chini 10 kg")).toEqual(["SUGAR-KG*10"]);
    const bars = buildCatalogIndex([product("KKT-4F", "KitKat 4 Finger Box", "box", ["kitkat"]), product("STAR-40", "Cadbury 5 Star 40g", "piece", []), ...catalog]);
    expect(parseMessage("Kitkat 4 finger x 2 boxes, 5 Star 40g x 24", bars).items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["KKT-4F*2", "STAR-40*24"]);
    expect(read("Yes, please go ahead with the order as listed.").intent).toBe("confirm");
    expect(read("how much do we owe u guys rn?").intent).toBe("balance");
    expect(read("could you let me know when today's delivery will reach Pulchowk?").intent).toBe("status");
  });

  it("takes retractions, second amounts of the same product and other products' words into account", () => {
    const shop = buildCatalogIndex([
      product("KHUKURI-20", "Khukuri Cigarette 20s", "packet", ["khukuri"]),
      product("SPRITE-500", "Sprite 500ml", "bottle", ["sprite"]),
      product("FANTA-500", "Fanta 500ml", "bottle", ["fanta"]),
      ...catalog,
    ]);
    const lines = (text: string) => parseMessage(text, shop).items.map((i) => `${i.sku}*${i.quantity}`);
    expect(lines("wai wai 2 carton, parle g 5 packet\nparle g chaidaina")).toEqual(["NOODLE-CTN*2"]);
    const swapped = parseMessage("coke 500ml 12, sprite 12\nsprite cancel, fanta 12", shop);
    expect(swapped.intent).toBe("order");
    expect(swapped.items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["COKE-500*12", "FANTA-500*12"]);
    expect(lines("wai wai 1 carton ra 10 packet")).toEqual(["NOODLE-CTN*1", "NOODLE-PKT*10"]);
    expect(lines("hamra ke coke 500ml 12 go chahi")).toEqual(["COKE-500*12"]);
    const rum = parseMessage("khukuri rum 2 bottle", shop);
    expect(rum.items).toEqual([]);
    expect(rum.unresolved[0]?.reason).toBe("unknown_product");
    expect(parseMessage("delivery kahile hunchha dai?", shop).intent).toBe("status");
    expect(parseMessage("cancel my order", shop).intent).toBe("cancel");
  });

  it("never fills an order line with a variant, size or form the retailer did not ask for", () => {
    const shop = buildCatalogIndex([
      product("SXL-EZW-1K", "Surf Excel Easy Wash 1kg", "packet", ["surf excel"]),
      product("SXL-MAT-1K", "Surf Excel Matic 1kg", "packet", ["surf excel matic"]),
      product("WHL-1K", "Wheel Detergent Powder 1kg", "packet", ["wheel"]),
      product("SAUCE-HS", "Kissan Hot and Sweet Sauce 500g", "bottle", ["hot and sweet"]),
      product("DABUR-HONEY", "Dabur Honey 500g", "jar", ["dabur honey"]),
      ...catalog,
    ]);
    const read = (text: string) => parseMessage(text, shop);
    // A code's digits are its size: 2K is not a typo of 1K, and it stays one unknown line.
    const code = read("SXL-EZW-2K x 5");
    expect(code.items).toEqual([]);
    expect(code.unresolved).toMatchObject([{ reason: "unknown_product", candidates: ["SXL-EZW-1K"] }]);
    expect(read("SXL-EZW-1K x 5").items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["SXL-EZW-1K*5"]);
    // A variant word the catalog does not have, and a form it does not sell.
    expect(read("surf excel quick wash 1kg 5 packet").items).toEqual([]);
    expect(read("wheel bar 20").items).toEqual([]);
    expect(read("wheel 1kg 20").items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["WHL-1K*20"]);
    // "and" inside a name does not split it; an unknown product of a carried brand is reported.
    expect(read("hot and sweet sauce 4 bottle")).toMatchObject({ items: [{ sku: "SAUCE-HS", quantity: 4 }], unresolved: [] });
    expect(read("dabur amla hair oil 6")).toMatchObject({ intent: "order", items: [], unresolved: [{ reason: "unknown_product" }] });
    expect(read("madat chaiyo").intent).toBe("help");
    // A code shaped like the catalog's SKUs that names none of them is one unknown line, not words and a number.
    const coded = buildCatalogIndex([product("GRC-SOY-200", "Soya Chunks 200g", "packet", ["soya"]), product("BEV-COK-500", "Coke 500ml", "bottle", ["coke"])]);
    const pepsi = parseMessage("GRC-SOY-200 x 10\nBEV-PEP-500 x 12", coded);
    expect(pepsi.items.map((i) => `${i.sku}*${i.quantity}`)).toEqual(["GRC-SOY-200*10"]);
    expect(pepsi.unresolved).toMatchObject([{ reason: "unknown_product", quantity: 12 }]);
    expect(read("saman aajai aaucha ki bholi?").intent).toBe("status");
    expect(read("aaja pasal kati baje samma khulla cha?").intent).toBe("other");
    expect(read("last week ko order feri pathaidinus").intent).toBe("reorder");
  });

  it("tells intents apart and gives non-order messages no lines", () => {
    const cases: [string, string][] = [
      ["CONFIRM", "confirm"],
      ["cancel ORD260210001", "cancel"],
      ["STATUS ORD260210001", "status"],
      ["where is my order?", "status"],
      ["help", "help"],
      ["mero baki kati cha?", "balance"],
      ["same as last order", "reorder"],
      ["pahile ko jastai order garidinu", "reorder"],
      ["ho thik cha, pathaidinu 👍", "confirm"],
      ["हुन्छ, कन्फर्म", "confirm"],
      ["ok thank you", "other"],
      ["namaste", "other"],
      ["PRICE chini", "other"],
      ["chini 10 kg", "order"],
    ];
    for (const [text, intent] of cases) {
      const parsed = parseMessage(text, index);
      expect(parsed.intent, text).toBe(intent);
      if (intent !== "order") expect(parsed.items.length + parsed.unresolved.length, text).toBe(0);
    }
    expect(parseMessage("Track ORD260100001", index).orderNumber).toBe("ORD260100001");
  });

  it("rejects messages over the limit with a reason, and reads one at the limit", () => {
    const long = parseMessage("chini 10 kg ".repeat(400), index);
    expect(long.rejected?.reason).toMatch(/4096/);
    expect(long.items).toEqual([]);
    expect(parseMessage(`chini 10 kg${" ".repeat(MAX_MESSAGE_LENGTH - 11)}`, index).items).toHaveLength(1);
  });

  it("stays bounded on pathological input", () => {
    const numbers = Array.from({ length: 1300 }, (_, i) => String(i)).join(" ").slice(0, 4096);
    expect(() => parseMessage(numbers, index)).not.toThrow();
    expect(parseMessage("a".repeat(4000), index).items).toEqual([]);
    expect(parseMessage("chini ".repeat(680), index).rejected).toBeUndefined();
  });

  it("never throws and never rejects short text, whatever the characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const parsed = parseMessage(text, index);
        expect(parsed.rejected).toBeUndefined();
        for (const item of parsed.items) {
          expect(Number.isInteger(item.quantity) && item.quantity >= 1).toBe(true);
          expect(catalog.some((p) => p.sku === item.sku)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("never throws on order-like noise mixing catalog words, numbers and units", () => {
    const words = fc.constantFrom("chini", "10", "kg", "x", "coke", "500ml", "बोरा", "१०", "ra", ",", "\n", "🙏", "tin", "das", "Rs.50", "-", "wai", "pkt");
    fc.assert(
      fc.property(fc.array(words, { maxLength: 40 }), (parts) => {
        const parsed = parseMessage(parts.join(" "), index);
        expect(parsed.rejected).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});

describe("toParseContractLine", () => {
  it("keeps only the contract fields", () => {
    const line = toParseContractLine("m1", parseMessage("chini 10 kg, coke 5", index));
    expect(line).toEqual({
      id: "m1",
      intent: "order",
      items: [{ sku: "SUGAR-KG", quantity: 10 }],
      unresolved: [{ text: "coke 5", candidates: expect.arrayContaining(["COKE-250", "COKE-500", "COKE-1500"]) as string[] }],
    });
  });
});

describe("searchCatalog", () => {
  it("ranks products for a query, codes and typos included", () => {
    expect(searchCatalog(index, "chini", 2).map((r) => r.sku)).toContain("SUGAR-KG");
    expect(searchCatalog(index, "colget", 1)[0]?.sku).toBe("PASTE");
    expect(searchCatalog(index, "SUGR-KG", 1)[0]?.sku).toBe("SUGAR-KG");
    expect(searchCatalog(index, "wheat", 3)).toEqual([]);
    expect(searchCatalog(index, "chini", 0)).toEqual([]);
  });
});

describe("units and scripts", () => {
  it("normalizes unit words", () => {
    expect(parseQuantityUnit("500 grams")).toEqual({ quantity: 500, unit: "grams", standardUnit: "kg", normalizedQuantity: 0.5 });
    expect(parseQuantityUnit("2 dozen")).toMatchObject({ standardUnit: "piece", normalizedQuantity: 24 });
    expect(parseQuantityUnit("3 bora")).toMatchObject({ standardUnit: "bag", normalizedQuantity: 3 });
    expect(parseQuantityUnit("rice")).toBeUndefined();
  });

  it("romanizes Devanagari the way retailers type it", () => {
    expect(["चामल", "तेल", "चिनी", "अण्डा", "पिठो"].map(romanizeDevanagari)).toEqual(["chamal", "tel", "chini", "anda", "pitho"]);
  });
});
