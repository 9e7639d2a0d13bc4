// Getting a person's attention: a short beep and a notice in the tab title.

let audioContext = null;

/**
 * Prepare sound playback. Browsers only allow audio after a user gesture,
 * so call this from a click or key handler.
 */
export function unlockSound() {
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass) return;
  try {
    audioContext ??= new AudioContextClass();
    if (audioContext.state === "suspended") audioContext.resume().catch(() => {});
  } catch {
    audioContext = null;
  }
}

/**
 * Play a short, quiet two-tone beep (no audio file). Silently does nothing
 * when the browser does not allow sound yet.
 */
export function beep() {
  if (!audioContext || audioContext.state !== "running") return;
  const start = audioContext.currentTime;
  const gain = audioContext.createGain();
  gain.connect(audioContext.destination);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.08, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.32);
  const oscillator = audioContext.createOscillator();
  oscillator.type = "sine";
  oscillator.frequency.setValueAtTime(880, start);
  oscillator.frequency.setValueAtTime(1320, start + 0.1);
  oscillator.connect(gain);
  oscillator.start(start);
  oscillator.stop(start + 0.34);
}

/**
 * Shows a count in front of the document title, e.g. "(2) New message",
 * and puts the original title back when cleared.
 */
export class TitleNotice {
  /**
   * @param {(count: number, baseTitle: string) => string} format
   */
  constructor(format) {
    this.format = format;
    this.baseTitle = null;
    this.shown = null;
  }

  /**
   * @param {number} count zero clears the notice
   */
  set(count) {
    if (count <= 0) {
      this.clear();
      return;
    }
    // The page may have changed its own title meanwhile; keep that one.
    if (this.baseTitle === null || document.title !== this.shown) this.baseTitle = document.title;
    this.shown = this.format(count, this.baseTitle);
    document.title = this.shown;
  }

  clear() {
    if (this.baseTitle !== null && document.title === this.shown) document.title = this.baseTitle;
    this.baseTitle = null;
    this.shown = null;
  }
}
