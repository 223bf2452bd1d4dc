/**
 * A bounded memo of a pure function of a string. The sim and the arena read the
 * same texts many times (a turn by generate, its counterfactual and probes;
 * every earlier turn again as history on each later request of its session;
 * Red's own texts on every leak check), and regexes are most of that cost
 * (issue 16). Cleared when full, so memory stays bounded on a long-running
 * server; answers never depend on what happens to be cached, so results stay
 * deterministic. It does not memoise functions of anything but the text.
 */
export class TextMemo<T> {
  private readonly map = new Map<string, T>();

  constructor(
    private readonly compute: (text: string) => T,
    private readonly capacity = 8192,
  ) {}

  get(text: string): T {
    let v = this.map.get(text);
    if (v === undefined) {
      if (this.map.size >= this.capacity) this.map.clear();
      v = this.compute(text);
      this.map.set(text, v);
    }
    return v;
  }
}
