// Where the session is kept between page loads: in memory (the default), in the browser's localStorage or
// sessionStorage, or in any store with getItem/setItem/removeItem, sync or async (React Native's
// AsyncStorage, an encrypted store).

/** The tokens of a logged-in session. Keep it secret: whoever holds the refresh token holds the session. */
export interface Session {
  accessToken: string;
  /** Single use: every refresh replaces it. Absent when the server did not issue one. */
  refreshToken?: string;
  /** When the access token expires, in milliseconds since the epoch (this device's clock), when the server said. */
  expiresAt?: number;
  /** The access token's lifetime in seconds, as the server gave it (`expires_in`). */
  expiresIn?: number;
}

/** A key-value store for the session; the methods may return promises. Web Storage and AsyncStorage fit as they are. */
export interface StorageAdapter {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export type StorageOption = 'memory' | 'localStorage' | 'sessionStorage' | StorageAdapter;

/** A store that lives as long as the object: one per Phoneauth, shared with nothing. */
export function memoryStorage(): StorageAdapter {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/**
 * The store an option names, and whether it is the browser's localStorage (shared by the origin's tabs).
 * Where the Web Storage asked for is missing or refused (Node, React Native, a sandboxed frame), memory.
 */
export function resolveStorage(option: StorageOption = 'memory'): [StorageAdapter, boolean] {
  if (typeof option === 'object') {
    return [option, false];
  }
  if (option !== 'memory') {
    try {
      // Reading the property throws in frames whose storage is blocked.
      const web = (globalThis as Record<string, unknown>)[option] as StorageAdapter | undefined;
      if (typeof web?.getItem === 'function') {
        return [web, option === 'localStorage'];
      }
    } catch {
      // fall through to memory
    }
  }
  return [memoryStorage(), false];
}

/** A session from stored JSON (or a message from another tab), or null for anything that is not one. */
export function parseSession(value: unknown): Session | null {
  try {
    const raw = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    const { accessToken, refreshToken, expiresAt, expiresIn } = (raw ?? {}) as Record<string, unknown>;
    const number = (v: unknown) => v === undefined || Number.isFinite(v);
    if (
      typeof accessToken === 'string' &&
      accessToken !== '' &&
      (refreshToken === undefined || typeof refreshToken === 'string') &&
      number(expiresAt) &&
      number(expiresIn)
    ) {
      // Only the known fields, so that what is stored again is exactly a Session.
      return JSON.parse(JSON.stringify({ accessToken, refreshToken, expiresAt, expiresIn })) as Session;
    }
  } catch {
    // not JSON
  }
  return null;
}
