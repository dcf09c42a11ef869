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
export declare function memoryStorage(): StorageAdapter;
/**
 * The store an option names, and whether it is the browser's localStorage (shared by the origin's tabs).
 * Where the Web Storage asked for is missing or refused (Node, React Native, a sandboxed frame), memory.
 */
export declare function resolveStorage(option?: StorageOption): [StorageAdapter, boolean];
/** A session from stored JSON (or a message from another tab), or null for anything that is not one. */
export declare function parseSession(value: unknown): Session | null;
//# sourceMappingURL=storage.d.ts.map