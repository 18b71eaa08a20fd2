import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_COOKIE = 'vigil_dashboard';

// Hash both sides so the comparison is constant-time even when lengths differ.
const digest = (s: string) => createHash('sha256').update(s).digest();

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    // A malformed %-escape is a wrong token, not a server error.
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The token a request presents: `Authorization: Bearer`, the cookie, or `?token=`. */
export function presentedToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const fromCookie = cookie(req.headers.cookie, TOKEN_COOKIE);
  if (fromCookie) return fromCookie;
  const q = (req.query as { token?: unknown } | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  return presented !== undefined && timingSafeEqual(digest(expected), digest(presented));
}

/** A preHandler that answers 401 unless the request carries the dashboard token. */
export function requireToken(token: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (tokenMatches(token, presentedToken(req))) return;
    req.log.info({ url: req.url.split('?')[0] }, 'dashboard request without a valid token');
    await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', hint: 'open the URL printed by "vigil dashboard"' });
  };
}

/** The Set-Cookie value that keeps the token out of later URLs. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`;
}
