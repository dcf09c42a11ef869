// Where the session is kept between page loads: in memory (the default), in the browser's localStorage or
// sessionStorage, or in any store with getItem/setItem/removeItem, sync or async (React Native's
// AsyncStorage, an encrypted store).
/** A store that lives as long as the object: one per Phoneauth, shared with nothing. */
export function memoryStorage() {
    const items = new Map();
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
export function resolveStorage(option = 'memory') {
    if (typeof option === 'object') {
        return [option, false];
    }
    if (option !== 'memory') {
        try {
            // Reading the property throws in frames whose storage is blocked.
            const web = globalThis[option];
            if (typeof web?.getItem === 'function') {
                return [web, option === 'localStorage'];
            }
        }
        catch {
            // fall through to memory
        }
    }
    return [memoryStorage(), false];
}
/** A session from stored JSON (or a message from another tab), or null for anything that is not one. */
export function parseSession(value) {
    try {
        const raw = typeof value === 'string' ? JSON.parse(value) : value;
        const { accessToken, refreshToken, expiresAt, expiresIn } = (raw ?? {});
        const number = (v) => v === undefined || Number.isFinite(v);
        if (typeof accessToken === 'string' &&
            accessToken !== '' &&
            (refreshToken === undefined || typeof refreshToken === 'string') &&
            number(expiresAt) &&
            number(expiresIn)) {
            // Only the known fields, so that what is stored again is exactly a Session.
            return JSON.parse(JSON.stringify({ accessToken, refreshToken, expiresAt, expiresIn }));
        }
    }
    catch {
        // not JSON
    }
    return null;
}
//# sourceMappingURL=storage.js.map