/**
 * The tiny byte-level BPE tokenizer and chat template that `make-tiny` writes next
 * to its random weights: 256 byte tokens (GPT-2's byte→unicode map), a few dozen
 * merges of common English pairs, and the family's special tokens, so the files
 * have the same shape as the real ones and both `@huggingface/tokenizers` and HF
 * `AutoTokenizer` load them. Every byte string encodes, so any text round-trips.
 *
 * Not a trained tokenizer: the merges are a fixed list picked so ordinary text
 * exercises merging, nothing more. Chat templates follow each family's layout
 * (ChatML for Qwen/SmolLM2, Llama-3 headers, Gemma turns, a plain one for GPT-2)
 * in a short form without tools or thinking.
 */

export type TokenizerFamily = "chatml" | "llama3" | "gemma" | "gpt2";

/** GPT-2's reversible map from bytes to printable unicode characters. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (printable.includes(b)) out[b] = String.fromCharCode(b);
    else out[b] = String.fromCharCode(256 + n++);
  }
  return out;
}

/** Pairs merged in this order; each part is a byte char or an earlier merge's result. */
const MERGES: [string, string][] = [
  ["Ġ", "t"],
  ["h", "e"],
  ["i", "n"],
  ["Ġ", "a"],
  ["e", "r"],
  ["o", "n"],
  ["r", "e"],
  ["Ġt", "he"],
  ["Ġ", "s"],
  ["Ġ", "w"],
  ["a", "t"],
  ["o", "u"],
  ["e", "n"],
  ["Ġ", "o"],
  ["i", "s"],
  ["in", "g"],
  ["Ġ", "i"],
  ["Ġ", "c"],
  ["l", "l"],
  ["e", "s"],
  ["o", "r"],
  ["a", "n"],
  ["Ġ", "b"],
  ["Ġ", "h"],
  ["e", "d"],
  ["Ġ", "f"],
  ["Ġ", "m"],
  ["Ġ", "p"],
  ["Ġo", "f"],
  ["Ġa", "n"],
  ["Ġan", "d"],
  ["Ġt", "o"],
  ["Ġi", "s"],
  ["Ġ", "y"],
  ["Ġy", "ou"],
  ["H", "e"],
  ["He", "ll"],
  ["Hell", "o"],
];

interface FamilySpec {
  specials: string[];
  bos: string | null;
  eos: string[];
  pad: string | null;
  /** prepend BOS when encoding with special tokens (Llama, Gemma) */
  addBos: boolean;
  template: string;
}

const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const LLAMA3 =
  "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

// Gemma merges a system message into the first user turn and calls the assistant "model".
const GEMMA =
  "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set first_user_prefix = messages[0]['content'] + '\\n\\n' %}{% set loop_messages = messages[1:] %}" +
  "{% else %}{% set first_user_prefix = '' %}{% set loop_messages = messages %}{% endif %}" +
  "{% for message in loop_messages %}{% if message['role'] == 'assistant' %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}" +
  "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}";

const PLAIN =
  "{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}";

const FAMILIES: Record<TokenizerFamily, FamilySpec> = {
  chatml: {
    specials: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
    bos: null,
    eos: ["<|im_end|>", "<|endoftext|>"],
    pad: "<|endoftext|>",
    addBos: false,
    template: CHATML,
  },
  llama3: {
    specials: [
      "<|begin_of_text|>",
      "<|end_of_text|>",
      "<|start_header_id|>",
      "<|end_header_id|>",
      "<|eot_id|>",
    ],
    bos: "<|begin_of_text|>",
    eos: ["<|end_of_text|>", "<|eot_id|>"],
    pad: null,
    addBos: true,
    template: LLAMA3,
  },
  gemma: {
    specials: ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"],
    bos: "<bos>",
    eos: ["<eos>", "<end_of_turn>"],
    pad: "<pad>",
    addBos: true,
    template: GEMMA,
  },
  gpt2: {
    specials: ["<|endoftext|>"],
    bos: "<|endoftext|>",
    eos: ["<|endoftext|>"],
    pad: null,
    addBos: false,
    template: PLAIN,
  },
};

export interface TinyTokenizer {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** number of ids the tokenizer uses (the model's vocab may be padded beyond it) */
  size: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

/** Builds tokenizer.json and tokenizer_config.json for a family. */
export function makeTinyTokenizer(family: TokenizerFamily, maxLength: number): TinyTokenizer {
  const spec = FAMILIES[family];
  const chars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  chars.forEach((c, b) => {
    vocab[c] = b;
  });
  for (const [a, b] of MERGES) {
    if (vocab[a] === undefined || vocab[b] === undefined)
      throw new Error(`tiny merge ${a} ${b} uses an unknown part`);
    vocab[a + b] = Object.keys(vocab).length;
  }
  const id = (tok: string): number =>
    vocab[tok] ?? Object.keys(vocab).length + spec.specials.indexOf(tok);
  const base = Object.keys(vocab).length;
  const added = spec.specials.map((content, i) => ({
    id: base + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const bosId = spec.bos === null ? null : id(spec.bos);
  const postProcessor =
    spec.addBos && spec.bos !== null
      ? {
          type: "TemplateProcessing",
          single: [
            { SpecialToken: { id: spec.bos, type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
          ],
          pair: [
            { SpecialToken: { id: spec.bos, type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
            { SpecialToken: { id: spec.bos, type_id: 1 } },
            { Sequence: { id: "B", type_id: 1 } },
          ],
          special_tokens: { [spec.bos]: { id: spec.bos, ids: [bosId], tokens: [spec.bos] } },
        }
      : { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: "ByteLevel",
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    },
    post_processor: postProcessor,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: MERGES.map(([a, b]) => `${a} ${b}`),
    },
  };
  const decoderEntries = Object.fromEntries(added.map(({ id: i, ...rest }) => [String(i), rest]));
  const tokenizerConfig = {
    add_bos_token: spec.addBos,
    add_eos_token: false,
    added_tokens_decoder: decoderEntries,
    bos_token: spec.bos,
    eos_token: spec.eos[0],
    pad_token: spec.pad,
    unk_token: null,
    chat_template: spec.template,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
    tokenizer_class: "PreTrainedTokenizerFast",
  };
  return {
    tokenizerJson,
    tokenizerConfig,
    size: base + spec.specials.length,
    bosTokenId: bosId,
    eosTokenIds: spec.eos.map(id),
    padTokenId: spec.pad === null ? null : id(spec.pad),
  };
}
