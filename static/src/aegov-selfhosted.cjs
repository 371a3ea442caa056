/*
 * The @aegov/design-system Tailwind plugin, minus its Google Fonts.
 *
 * The plugin (v3.x, a plain `plugin(handler, config)`, no options) puts @font-face rules
 * pointing at fonts.gstatic.com into its base layer, and it has no switch to leave them
 * out. This wrapper hands the plugin a Tailwind API whose addBase() drops every
 * @font-face rule, so the design system arrives unchanged apart from that; app.css brings
 * its own self-hosted @font-face rules from the @fontsource packages instead.
 * scripts/finalize_css.mjs then fails the build if any http(s) URL is left in the output.
 */
const aegov = require("@aegov/design-system");

function withoutFontFaces(styles) {
  if (Array.isArray(styles)) return styles.map(withoutFontFaces);
  if (!styles || typeof styles !== "object") return styles;
  const kept = {};
  for (const [key, value] of Object.entries(styles)) {
    if (key.trim().toLowerCase() === "@font-face") continue;
    kept[key] = withoutFontFaces(value);
  }
  return kept;
}

module.exports = {
  handler(api) {
    return aegov.handler({
      ...api,
      addBase(styles) {
        return api.addBase(withoutFontFaces(styles));
      },
    });
  },
  config: aegov.config,
};
