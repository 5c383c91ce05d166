// next-auth configuration: email + password always; GitHub, Google and a generic OIDC
// provider when their variables are set. JWT sessions; the user id travels in the token.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { addressFromHeaders } from "@/lib/http/client-address";
import { ProxyTunnelAgent, proxySettings } from "@/lib/net/proxy";
import { SESSION_MAX_AGE_S } from "./account";
import { burnPasswordCheck, verifyPassword } from "./password";
import { sameOriginRedirect } from "./redirect";
import { newSessionId, revokeSession } from "./revocation";
import { authSecret } from "./secret";
import { describeWait, recordSignInAttempt, signInThrottle } from "./throttle";
import { emailSchema, OAuthSignInRefused, oauthEmailVerified, upsertOAuthUser } from "./users";

export const WRONG_CREDENTIALS = "Wrong email or password.";

function clientIp(headers: Record<string, unknown> | undefined): string | null {
  return addressFromHeaders((name) => {
    const value = headers?.[name];
    return typeof value === "string" ? value : null;
  });
}

/** The credentials check: throttled, timing-safe, audited. Throws a user-facing message. */
export async function authorizeWithPassword(credentials: Record<string, string> | undefined, headers: Record<string, unknown> | undefined) {
  const parsed = emailSchema.safeParse(credentials?.email ?? "");
  const password = credentials?.password ?? "";
  if (!parsed.success || !password) throw new Error(WRONG_CREDENTIALS);
  const email = parsed.data;
  const ip = clientIp(headers);
  const throttle = await signInThrottle(email, ip);
  if (throttle.waitSeconds > 0) throw new Error(`Too many failed attempts from here. Try again in ${describeWait(throttle.waitSeconds)}.`);
  if (throttle.holdMs > 0) await new Promise((resolve) => setTimeout(resolve, throttle.holdMs));
  const user = await db.user.findUnique({ where: { email } });
  const ok = user?.passwordHash && user.isActive ? await verifyPassword(password, user.passwordHash) : await burnPasswordCheck(password).then(() => false);
  await recordSignInAttempt(email, ip, ok);
  if (!ok || !user) throw new Error(WRONG_CREDENTIALS);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordAudit({ actorId: user.id, action: "auth.sign_in", ip, metadata: { method: "password" } });
  return { id: user.id, email: user.email, name: user.name };
}

/**
 * next-auth's OpenID client speaks node:https: behind HTTPS_PROXY its requests (discovery,
 * tokens, user info) go through the proxy's tunnel. The option is one for all providers.
 */
function ssoHttpOptions(): { httpOptions?: { timeout: number; agent: ProxyTunnelAgent } } {
  if (!proxySettings().https) return {};
  ssoAgent ??= new ProxyTunnelAgent({ keepAlive: true });
  return { httpOptions: { timeout: 10_000, agent: ssoAgent } };
}
let ssoAgent: ProxyTunnelAgent | undefined;

function oauthProviders(): NextAuthOptions["providers"] {
  const e = env();
  const providers: NextAuthOptions["providers"] = [];
  const http = ssoHttpOptions();
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) {
    providers.push(GitHubProvider({ clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET, ...http }));
  }
  if (e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) {
    providers.push(GoogleProvider({ clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, ...http }));
  }
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      // An http:// issuer (a test realm) cannot take the https agent.
      ...(e.OIDC_ISSUER.startsWith("https:") ? http : {}),
      profile(profile: { sub: string; email: string; name?: string; preferred_username?: string; picture?: string }) {
        return { id: profile.sub, email: profile.email, name: profile.name ?? profile.preferred_username ?? null, image: profile.picture ?? null };
      },
    });
  }
  return providers;
}

/** The OAuth providers switched on by configuration, for the sign-in page. */
export function enabledOAuthProviders(): Array<{ id: string; name: string }> {
  return oauthProviders().map((p) => ({ id: p.id, name: p.name }));
}

export function authOptions(): NextAuthOptions {
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorizeWithPassword(credentials, req?.headers),
      }),
      ...oauthProviders(),
    ],
    events: {
      async signOut({ token }) {
        await revokeSession(token);
      },
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (!account || account.type === "credentials") return true;
        if (!user.email) return "/sign-in?error=OAuthNoEmail";
        let dbUser: Awaited<ReturnType<typeof upsertOAuthUser>>;
        try {
          dbUser = await upsertOAuthUser({
            email: user.email,
            emailVerified: oauthEmailVerified(account.provider, profile as Record<string, unknown> | undefined),
            name: user.name ?? null,
            image: user.image ?? null,
            provider: account.provider,
            providerAccountId: account.providerAccountId,
            type: account.type,
          });
        } catch (error) {
          if (error instanceof OAuthSignInRefused) return `/sign-in?error=${error.reason}`;
          throw error;
        }
        if (!dbUser.isActive) return false;
        await db.user.update({ where: { id: dbUser.id }, data: { lastLoginAt: new Date() } });
        await recordAudit({ actorId: dbUser.id, action: "auth.sign_in", metadata: { method: account.provider } });
        user.id = dbUser.id;
        return true;
      },
      redirect({ url, baseUrl }) {
        return sameOriginRedirect(url, baseUrl);
      },
      async jwt({ token, user }) {
        // At sign-in: who, which session (sign-out revokes it) and under which session version
        // (a password change or "sign out everywhere" raises it, ending every older token).
        if (user?.id) {
          const row = await db.user.findUnique({ where: { id: user.id }, select: { sessionVersion: true } });
          token.uid = user.id;
          token.sid = newSessionId();
          token.sv = row?.sessionVersion ?? 0;
        }
        return token;
      },
      async session({ session, token }) {
        if (session.user && typeof token.uid === "string") (session.user as { id?: string }).id = token.uid;
        return session;
      },
    },
  };
}
