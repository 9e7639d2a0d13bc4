// The desk's settings as this inbox knows them: loaded on (re)connect and
// replaced by the `settings` event whenever an admin changes them.

const listeners = new Set();
let current = {};

export const deskSettings = {
  /** @returns {object} every setting by key */
  get: () => current,

  /**
   * Call `listener(settings)` now and after every change.
   * @param {(settings: object) => void} listener
   */
  subscribe(listener) {
    listeners.add(listener);
    listener(current);
  },

  /** @param {object} settings */
  update(settings) {
    if (!settings || typeof settings !== "object") return;
    current = settings;
    for (const listener of listeners) listener(current);
  },

  async load() {
    const response = await fetch("/api/v1/settings", { headers: { Accept: "application/json" }, credentials: "same-origin" }).catch(() => null);
    if (response?.ok) this.update((await response.json()).settings);
  },
};
