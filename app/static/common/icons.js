// Small line icons built as SVG elements (no markup strings), drawn with
// currentColor so CSS decides their colour.

const SVG_NS = "http://www.w3.org/2000/svg";

const ICONS = {
  clock: { viewBox: "0 0 16 16", paths: ["M8 4.5V8l2.5 1.5"], circle: [8, 8, 6] },
  tick: { viewBox: "0 0 20 16", paths: ["M2 8.5l4 4L15 3.5"] },
  ticks: { viewBox: "0 0 20 16", paths: ["M1 8.5l4 4L14 3.5", "M9 12l0.5 0.5L18.5 3.5"] },
  alert: { viewBox: "0 0 16 16", paths: ["M8 4.5v4", "M8 11v0.5"], circle: [8, 8, 6.5] },
  send: { viewBox: "0 0 24 24", paths: ["M4 12l16-8-6 16-2.5-6.5z", "M11.5 13.5L20 4"] },
  chat: {
    viewBox: "0 0 24 24",
    paths: ["M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A1.5 1.5 0 0 1 4 14.5z"],
  },
  close: { viewBox: "0 0 24 24", paths: ["M6 6l12 12", "M18 6L6 18"] },
  exit: { viewBox: "0 0 24 24", paths: ["M14 4h4.5A1.5 1.5 0 0 1 20 5.5v13a1.5 1.5 0 0 1-1.5 1.5H14", "M10 8l-4 4 4 4", "M6 12h10"] },
  mail: { viewBox: "0 0 24 24", paths: ["M4 6.5h16v11H4z", "M4.5 7l7.5 6 7.5-6"] },
  more: { viewBox: "0 0 24 24", paths: ["M5.5 12h.01", "M12 12h.01", "M18.5 12h.01"], strokeWidth: "3.2" },
  back: { viewBox: "0 0 24 24", paths: ["M15 5l-7 7 7 7"] },
  attach: {
    viewBox: "0 0 24 24",
    paths: ["M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17.2a1.7 1.7 0 0 1-2.4-2.4l7.7-7.7"],
  },
  file: { viewBox: "0 0 24 24", paths: ["M6 3h8l4 4v14H6z", "M14 3v4h4", "M9 12h6", "M9 16h6"] },
  bell: {
    viewBox: "0 0 24 24",
    paths: ["M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z", "M10 20.5a2 2 0 0 0 4 0"],
  },
};

/**
 * Create an icon element.
 * @param {keyof ICONS} name
 * @param {string} [className]
 * @returns {SVGSVGElement} decorative (aria-hidden) unless the caller labels it
 */
export function icon(name, className = "icon") {
  const spec = ICONS[name];
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", spec.viewBox);
  svg.setAttribute("class", `${className} ${className}--${name}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", spec.strokeWidth || "1.8");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  if (spec.circle) {
    const [cx, cy, r] = spec.circle;
    const circle = document.createElementNS(SVG_NS, "circle");
    circle.setAttribute("cx", String(cx));
    circle.setAttribute("cy", String(cy));
    circle.setAttribute("r", String(r));
    svg.append(circle);
  }
  for (const d of spec.paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}
