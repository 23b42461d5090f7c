/**
 * AdamW (decoupled weight decay), Adam (L2 folded into the gradient) and SGD with momentum, with
 * clipping by global norm. State lives in tensors named after the parameters, so a checkpoint can
 * save and restore it exactly.
 */
import { tf } from '../backend.ts';
import type { Params } from '../gpt/model.ts';
import type { OptimizerSettings } from '../../sdk/index.ts';
import { fusedAdam } from './adam-update.ts';

export type { OptimizerSettings };

export const DEFAULT_OPTIMIZER: OptimizerSettings = { kind: 'adamw', beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, momentum: 0.9, clipNorm: 1 };

/** Weight decay applies to matrices only; biases, LayerNorm gains and embeddings' positions are exempt, as in GPT-2 training. */
const decays = (name: string, rank: number) => rank >= 2 && name !== 'wpe.weight';

export class Optimizer {
  step = 0;
  readonly state = new Map<string, tf.Variable>();

  constructor(
    readonly settings: OptimizerSettings,
    private readonly params: Params,
  ) {
    // tf.variable(t) keeps t's handle alive as well: make each zero tensor inside tidy so only the variable stays.
    const zeros = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));
    for (const [name, v] of params) {
      if (settings.kind === 'sgd') this.state.set(`${name}#mom`, zeros(v));
      else {
        this.state.set(`${name}#m`, zeros(v));
        this.state.set(`${name}#v`, zeros(v));
      }
    }
  }

  /** Global L2 norm of the gradients, as a scalar tensor. */
  static globalNorm(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
    return tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
  }

  /** One update with learning rate lr. `norm` is the gradients' global norm (for clipping). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number, norm: tf.Scalar): void {
    this.step++;
    const s = this.settings;
    const bc1 = 1 - s.beta1 ** this.step;
    const bc2 = 1 - s.beta2 ** this.step;
    const clip = tf.tidy(() => (s.clipNorm > 0 ? tf.minimum(tf.div(s.clipNorm, tf.add(norm, 1e-6)), 1) : tf.scalar(1))) as tf.Scalar;
    // One tidy per parameter: the temporaries of one update are freed before the next, so the peak
    // is one matrix's worth, not every parameter's at once.
    for (const [name, p] of this.params) {
      const raw = grads.get(name);
      if (!raw) continue;
      tf.tidy(() => {
        const wd = decays(name, p.rank) ? s.weightDecay : 0;
        if (s.kind !== 'sgd') {
          const m = this.state.get(`${name}#m`)!;
          const v = this.state.get(`${name}#v`)!;
          // On wasm the whole update is one kernel (adam-update.ts); elsewhere the ops below.
          const fused = fusedAdam(p, raw, m, v, clip, { lr, beta1: s.beta1, beta2: s.beta2, eps: s.eps, bc1, bc2, l2: s.kind === 'adam' ? wd : 0, decoupled: s.kind === 'adamw' ? wd : 0 });
          if (fused) {
            m.assign(fused[1]);
            v.assign(fused[2]);
            p.assign(fused[0]);
            return;
          }
        }
        let g = tf.mul(raw, clip);
        if (s.kind === 'sgd') {
          if (wd) g = tf.add(g, tf.mul(p, wd));
          const mom = this.state.get(`${name}#mom`)!;
          mom.assign(tf.add(tf.mul(mom, s.momentum), g));
          p.assign(tf.sub(p, tf.mul(mom, lr)));
          return;
        }
        if (s.kind === 'adam' && wd) g = tf.add(g, tf.mul(p, wd));
        const m = this.state.get(`${name}#m`)!;
        const v = this.state.get(`${name}#v`)!;
        m.assign(tf.add(tf.mul(m, s.beta1), tf.mul(g, 1 - s.beta1)));
        v.assign(tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(g), 1 - s.beta2)));
        let update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), s.eps));
        if (s.kind === 'adamw' && wd) update = tf.add(update, tf.mul(p, wd));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      });
    }
    clip.dispose();
  }

  dispose(): void {
    for (const v of this.state.values()) v.dispose();
    this.state.clear();
  }
}
