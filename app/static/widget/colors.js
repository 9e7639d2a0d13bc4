// The widget's accent colour, and a text colour that stays readable on it.

const DEFAULT_ACCENT = "#2563eb";
const DARK_TEXT = "#111827";
const LIGHT_TEXT = "#ffffff";

function parseHex(color) {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!match) return null;
  const hex = match[1].length === 3 ? [...match[1]].map((digit) => digit + digit).join("") : match[1];
  return [0, 2, 4].map((start) => parseInt(hex.slice(start, start + 2), 16));
}

function channelLuminance(value) {
  const channel = value / 255;
  return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
}

function luminance([red, green, blue]) {
  return 0.2126 * channelLuminance(red) + 0.7152 * channelLuminance(green) + 0.0722 * channelLuminance(blue);
}

function contrast(a, b) {
  const [light, dark] = a > b ? [a, b] : [b, a];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * Pick the accent colour (falling back to the default for anything that is
 * not a valid CSS colour), the text colour with the better contrast on it,
 * and a focus-ring colour that stands out on white (the accent itself when
 * it is dark enough). Non-hex colours get white text and a dark ring.
 * @param {string|undefined} requested
 * @returns {{accent: string, onAccent: string, focus: string}}
 */
export function accentColors(requested) {
  const accent = requested && CSS.supports("color", requested) ? requested : DEFAULT_ACCENT;
  const rgb = parseHex(accent);
  if (!rgb) return { accent, onAccent: LIGHT_TEXT, focus: DARK_TEXT };
  const background = luminance(rgb);
  const onWhite = contrast(background, luminance([255, 255, 255]));
  const onDarkText = contrast(background, luminance([17, 24, 39]));
  return {
    accent,
    onAccent: onWhite >= onDarkText ? LIGHT_TEXT : DARK_TEXT,
    focus: onWhite >= 3 ? accent : DARK_TEXT,
  };
}
