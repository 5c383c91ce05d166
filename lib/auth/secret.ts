import { ConfigError, env } from "@/lib/env";

export function authSecret(): string {
  const secret = env().AUTH_SECRET;
  if (!secret) {
    throw new ConfigError("AUTH_SECRET is not set. `npm start` generates one under storage/; on other deployments set AUTH_SECRET to 32+ random characters.");
  }
  return secret;
}
