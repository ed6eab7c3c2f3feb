import { requireConfig } from "@khaacho/core";
import { listApiTokens, revokeApiToken } from "@khaacho/db";
import { issueApiToken } from "@khaacho/server";
import { Command, Option } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure, UsageError } from "../errors.js";
import { renderTable } from "../output.js";
import { action } from "./action.js";

const iso = (d: Date | null) => (d === null ? "" : d.toISOString().replace(/\.\d{3}Z$/, "Z"));

/** `khaacho token create | list | revoke`: bearer tokens for the HTTP API. */
export function tokenCommand(context: CommandContext): Command {
  const token = new Command("token").description("issue, list and revoke API tokens (JWTs signed with JWT_SECRET)");

  token
    .command("create")
    .description("issue a token; it is printed once and cannot be shown again")
    .addOption(new Option("--role <role>", "what the token may do").choices(["admin", "analyst"]).makeOptionMandatory())
    .option("--name <name>", "who or what the token is for (shown in the audit log)")
    .option("--days <n>", "expire after this many days (default: never; revoke instead)")
    .action(
      action(context, async (options: { role: string; name?: string; days?: string }) => {
        const config = requireConfig(context.config(), { jwtSecret: "JWT_SECRET" }, "khaacho token create");
        let expiresInDays: number | undefined;
        if (options.days !== undefined) {
          if (!/^\d{1,4}$/.test(options.days) || Number(options.days) < 1) throw new UsageError(`--days must be a whole number of days from 1 to 9999 (got "${options.days}")`);
          expiresInDays = Number(options.days);
        }
        const now = new Date();
        const name = options.name ?? `${options.role}-${now.toISOString().slice(0, 10)}`;
        const { token: jwt, record } = await context.withDatabase((db) =>
          issueApiToken(db.knex, { secret: config.jwtSecret, role: options.role, name, now, expiresInDays }),
        );
        return {
          data: { id: record.id, jti: record.jti, name: record.name, role: record.role, expiresAt: record.expiresAt, token: jwt },
          human: [
            `Created ${record.role} token #${record.id} "${record.name}"${record.expiresAt ? `, expires ${iso(record.expiresAt)}` : ""}.`,
            "Use it as 'Authorization: Bearer <token>'. It is shown only now:",
            jwt,
          ].join("\n"),
        };
      }),
    );

  token
    .command("list")
    .description("list issued tokens (never the tokens themselves)")
    .action(
      action(context, async () => {
        const tokens = await context.withDatabase((db) => listApiTokens(db.knex));
        return {
          data: { tokens },
          human:
            tokens.length === 0
              ? "No API tokens. Create one with: khaacho token create --role admin|analyst --name NAME"
              : renderTable(tokens, [
                  { header: "ID", value: (t) => t.id, align: "right" },
                  { header: "NAME", value: (t) => t.name },
                  { header: "ROLE", value: (t) => t.role },
                  { header: "CREATED", value: (t) => iso(t.createdAt) },
                  { header: "EXPIRES", value: (t) => iso(t.expiresAt) },
                  { header: "REVOKED", value: (t) => iso(t.revokedAt) },
                  { header: "LAST USED", value: (t) => iso(t.lastUsedAt) },
                ]),
        };
      }),
    );

  token
    .command("revoke")
    .description("revoke a token by its id (from token list) or jti; it stops working at once")
    .argument("<id>", "token id or jti")
    .action(
      action(context, async (idOrJti: string) => {
        const record = await context.withDatabase((db) => revokeApiToken(db.knex, { idOrJti, now: new Date() }));
        if (!record) throw new CommandFailure(`no API token with id or jti "${idOrJti}" (see: khaacho token list)`, { token: idOrJti });
        return { data: { token: record }, human: `Revoked ${record.role} token #${record.id} "${record.name}" (at ${iso(record.revokedAt)}).` };
      }),
    );
  // main() turns commander's exits into exit codes only for top-level commands; nested ones need it too.
  for (const sub of token.commands) sub.exitOverride();
  return token;
}
