// @ts-check
// What the map shows: one view, the same shape in the store, the URL and the requests.

/**
 * @typedef {object} View
 * @property {string | null} indicator  indicator code
 * @property {string | null} type       area type code
 * @property {string | null} period     null: the newest the server has
 * @property {string} scheme            classification scheme
 * @property {number} classes           number of classes
 * @property {string | null} area       the selected area's code
 */

/** The view before a link or a control says otherwise. Its key order is the URL's. */
export const DEFAULT_VIEW = Object.freeze({
  indicator: null, type: null, period: null, scheme: "quantiles", classes: 5, area: null,
});

/** @type {ReadonlyArray<keyof View>} */
export const VIEW_KEYS = /** @type {Array<keyof View>} */ (Object.keys(DEFAULT_VIEW));

/**
 * The period after `current` in `periods`, back to the first after the last (the play
 * button's loop); the first when `current` is not among them.
 * @param {readonly string[]} periods
 * @param {string | null} current
 * @returns {string | null}
 */
export function nextPeriod(periods, current) {
  if (!periods.length) return null;
  return periods[(periods.indexOf(current ?? "") + 1) % periods.length];
}

/**
 * A view the server can show when it refused `view` (a link to a period it has no values
 * for, or an indicator it does not know): the indicator if the catalogue has it (else
 * `fallbackIndicator`), the newest period, and the scheme and classes only if the controls
 * offer them. The type and the area are kept.
 * @param {View} view
 * @param {{ indicators: readonly string[], schemes: readonly string[], classes: readonly number[],
 *           fallbackIndicator: string | null }} offered
 * @returns {View}
 */
export function recoverView(view, offered) {
  return {
    ...view,
    indicator: view.indicator && offered.indicators.includes(view.indicator) ? view.indicator : offered.fallbackIndicator,
    period: null,
    scheme: offered.schemes.includes(view.scheme) ? view.scheme : DEFAULT_VIEW.scheme,
    classes: offered.classes.includes(view.classes) ? view.classes : DEFAULT_VIEW.classes,
  };
}
