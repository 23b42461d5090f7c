/**
 * A gate's condition, pure and light (the spec's validation and the run share it): compare a
 * metric with a fixed bound or with another metric, and say in words why it passed or not.
 */
export const COMPARISONS = ['<=', '<', '>=', '>', 'within %'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface GateCondition {
  metric: string;
  comparison: Comparison;
  /** The bound, or for "within %" the reference value, when no reference metric is named. */
  threshold: number;
  /** "within %": the allowed relative distance from the reference, in percent. */
  tolerance: number;
}

export interface GateDecision {
  passed: boolean;
  /** One line for the user, e.g. `perplexity 31.2 is 4.1% above 30.0 (allowed 2%)`. */
  explanation: string;
  value: number;
  bound: number;
}

/** Figures printed as a person reads them: enough digits to see the difference, no float noise. */
export function formatFigure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return String(Math.round(x * 10) / 10);
  return String(Number(x.toPrecision(4)));
}

/** Decides the condition for `value` against `bound` (a threshold or another metric's value, named `boundName`). */
export function decide(c: GateCondition, value: number, bound: number, boundName?: string): GateDecision {
  const v = formatFigure(value);
  const b = boundName ? `${boundName} ${formatFigure(bound)}` : formatFigure(bound);
  if (Number.isNaN(value)) return { passed: false, explanation: `${c.metric} is NaN`, value, bound };
  if (c.comparison === 'within %') {
    const rel = bound === 0 ? (value === 0 ? 0 : Infinity) : ((value - bound) / Math.abs(bound)) * 100;
    const passed = Math.abs(rel) <= c.tolerance;
    const side = rel > 0 ? 'above' : 'below';
    return {
      passed,
      explanation: `${c.metric} ${v} is ${formatFigure(Math.abs(rel))}% ${rel === 0 ? 'from' : side} ${b} (allowed ${formatFigure(c.tolerance)}%)`,
      value,
      bound,
    };
  }
  const passed = c.comparison === '<=' ? value <= bound : c.comparison === '<' ? value < bound : c.comparison === '>=' ? value >= bound : value > bound;
  return { passed, explanation: `${c.metric} ${v} ${passed ? '' : 'is not '}${c.comparison} ${b}`, value, bound };
}
