/**
 * The additive attention mask `[B, 1, 1, T, S]` for one step, built from the
 * absolute position of every query column and every cached key column (−1 marks
 * left padding). Key j is visible to query i iff it is real, not in the future
 * (`kpos ≤ qpos`) and, on sliding layers, inside the window (`kpos > qpos − w`,
 * HF's `sliding_window_overlay`). A padding query sees only itself, so its
 * softmax row is never empty (no NaN); its outputs are never used.
 *
 * Masked entries get −1e30 rather than −∞: exp underflows to exactly 0 either
 * way, and a finite value cannot turn into NaN after soft-capping or addition.
 */

export const MASKED = -1e30;

export function attentionMask(
  batch: number,
  queryPos: Int32Array, // [B*T]
  keyPos: Int32Array, // [B*S]
  window: number | null,
  /** the key column of query 0 itself (default: the last T columns are this step's queries) */
  selfColumn?: number,
  /** written in full when given (B·T·S floats): a buffer reused from step to step */
  out?: Float32Array,
): Float32Array {
  const t = queryPos.length / batch;
  const s = keyPos.length / batch;
  const self = selfColumn ?? s - t;
  if (out && out.length !== batch * t * s)
    throw new RangeError(`attentionMask: out holds ${out.length} floats, not ${batch * t * s}`);
  const mask = out ?? new Float32Array(batch * t * s);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < t; i++) {
      const q = queryPos[b * t + i];
      const row = (b * t + i) * s;
      for (let j = 0; j < s; j++) {
        const k = keyPos[b * s + j];
        let visible: boolean;
        if (q < 0) visible = j === self + i;
        else visible = k >= 0 && k <= q && (window === null || k > q - window);
        mask[row + j] = visible ? 0 : MASKED;
      }
    }
  }
  return mask;
}
