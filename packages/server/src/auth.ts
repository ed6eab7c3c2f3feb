import { randomUUID } from "node:crypto";
import { DomainError } from "@khaacho/core";
import { type ApiRole, type ApiTokenRecord, API_ROLES, findApiToken, insertApiToken, touchApiToken } from "@khaacho/db";
import type { MiddlewareHandler } from "hono";
import { sign, verify } from "hono/jwt";
import type { Knex } from "knex";
import { ApiError } from "./http-errors.js";

/** Who is calling the API, from a verified and unrevoked token. */
export interface Principal {
  tokenId: number;
  jti: string;
  name: string;
  role: ApiRole;
}

/** Variables the bearer middleware sets on the context. */
export interface AuthVariables {
  principal: Principal;
}

const ISSUER = "khaacho";

/** Refuses a JWT secret shorter than 32 characters (the server will not start with one). */
export function assertJwtSecret(secret: string | undefined): asserts secret is string {
  if (secret === undefined || secret.length < 32) {
    throw new DomainError("invalid_config", `JWT_SECRET must be at least 32 characters (it has ${secret?.length ?? 0})`, { variable: "JWT_SECRET" });
  }
}

/**
 * Issues an API token: records it (with a fresh `jti`) and returns the signed JWT. The JWT is shown
 * once; only its `jti` is stored, which is what revocation checks.
 */
export async function issueApiToken(
  knex: Knex,
  options: { secret: string; role: string; name: string; now: Date; expiresInDays?: number | undefined },
): Promise<{ token: string; record: ApiTokenRecord }> {
  assertJwtSecret(options.secret);
  if (!(API_ROLES as readonly string[]).includes(options.role)) {
    throw new DomainError("invalid_input", `--role must be one of ${API_ROLES.join(", ")} (got "${options.role}")`, { field: "role" });
  }
  const name = options.name.trim();
  if (name.length === 0 || name.length > 100) throw new DomainError("invalid_input", "--name must be 1 to 100 characters", { field: "name" });
  const jti = randomUUID();
  const iat = Math.floor(options.now.getTime() / 1000);
  const exp = options.expiresInDays === undefined ? undefined : iat + Math.round(options.expiresInDays * 86_400);
  const record = await insertApiToken(knex, {
    jti,
    name,
    role: options.role as ApiRole,
    now: options.now,
    expiresAt: exp === undefined ? null : new Date(exp * 1000),
  });
  const token = await sign({ iss: ISSUER, sub: name, role: options.role, jti, iat, ...(exp === undefined ? {} : { exp }) }, options.secret, "HS256");
  return { token, record };
}

/**
 * Requires `Authorization: Bearer <jwt>`: a valid HS256 signature with our secret, not expired,
 * and a `jti` we issued and have not revoked. 401 otherwise.
 */
export function bearerAuth(deps: { knex: Knex; secret: string; now: () => Date }): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authenticateBearer(c, next) {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
    if (!match) throw new ApiError(401, "unauthorized", "an Authorization: Bearer <token> header is required (khaacho token create)");
    let claims: Record<string, unknown>;
    try {
      claims = await verify(match[1]!, deps.secret, { alg: "HS256", iss: ISSUER });
    } catch {
      throw new ApiError(401, "unauthorized", "the bearer token is invalid or expired");
    }
    const jti = typeof claims.jti === "string" ? claims.jti : "";
    const record = jti ? await findApiToken(deps.knex, jti) : undefined;
    if (!record || record.role !== claims.role) throw new ApiError(401, "unauthorized", "the bearer token is not known");
    const now = deps.now();
    if (record.revokedAt !== null) throw new ApiError(401, "unauthorized", "the bearer token has been revoked");
    if (record.expiresAt !== null && record.expiresAt <= now) throw new ApiError(401, "unauthorized", "the bearer token is invalid or expired");
    await touchApiToken(deps.knex, jti, now);
    c.set("principal", { tokenId: record.id, jti, name: record.name, role: record.role });
    await next();
  };
}

/**
 * Lets through only the given roles: 403 for any other (authenticated) caller, after `denied`
 * (which records the attempt) has run.
 */
export function requireRole(
  roles: readonly ApiRole[],
  denied: (principal: Principal, route: string) => Promise<void>,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function checkRole(c, next) {
    const principal = c.get("principal");
    if (!roles.includes(principal.role)) {
      await denied(principal, `${c.req.method} ${c.req.routePath}`);
      throw new ApiError(403, "forbidden", `this needs the ${roles.join(" or ")} role; the token has ${principal.role}`);
    }
    await next();
  };
}
