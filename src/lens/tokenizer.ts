/**
 * A checkpoint's tokenizer and chat template: `tokenizer.json` and
 * `tokenizer_config.json` through `@huggingface/tokenizers` (pure JS, reads the two
 * parsed JSON objects, no network), the chat template through `@huggingface/jinja`
 * (ARCHITECTURES.md §3). Special ids come from the files the model ships:
 * tokenizer_config's tokens, config.json's and generation_config.json's
 * `eos_token_id` (int or list; all of them stop generation).
 *
 * Trap handled here: chat templates usually emit BOS themselves, so `encodeChat`
 * encodes the rendered text without adding special tokens (no double BOS). It
 * encodes only what a rendered text adds to a recent one (prefix-encoder.ts): a
 * session's requests repeat the system prompt and history.
 * Deliberately not here: padding and batching (model.ts) and any model maths.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { SeigeError } from "../util/errors.js";
import { boundaryTokens, PrefixEncoder } from "./prefix-encoder.js";

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatTemplateOptions {
  /** end with the assistant turn's header so the model answers (default true) */
  addGenerationPrompt?: boolean;
  /** further template variables, e.g. `{enable_thinking: false}` for Qwen3, `tools` */
  extra?: Record<string, unknown>;
}

export interface LensTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** the chat template rendered to text */
  applyChatTemplate(messages: readonly ChatMessage[], opts?: ChatTemplateOptions): string;
  /** the chat template rendered and encoded (without adding special tokens again) */
  encodeChat(messages: readonly ChatMessage[], opts?: ChatTemplateOptions): number[];
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  hasChatTemplate: boolean;
}

type Json = Record<string, unknown>;

function readJson(path: string, what: string): Json {
  if (!existsSync(path)) {
    throw new SeigeError("config_error", `${path}: missing; ${what}`);
  }
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Json;
  } catch {
    throw new SeigeError("config_error", `${path}: not valid JSON`);
  }
}

/** A special token in tokenizer_config is a string or an AddedToken dict `{content, …}`. */
function tokenText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null && typeof (v as Json).content === "string")
    return (v as Json).content as string;
  return null;
}

function ids(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === "number");
  return [];
}

/** The template: `chat_template.jinja` (newer HF saves), a string, or the "default" of a named list. */
function findTemplate(dir: string, tc: Json): string | null {
  const file = join(dir, "chat_template.jinja");
  if (existsSync(file)) return readFileSync(file, "utf8");
  const t = tc.chat_template;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t as { name?: string; template?: string }[];
    return (named.find((x) => x.name === "default") ?? named[0])?.template ?? null;
  }
  return null;
}

/** Loads the tokenizer of a checkpoint directory. */
export function loadTokenizer(dir: string): LensTokenizer {
  const tj = readJson(
    join(dir, "tokenizer.json"),
    "the lens runtime needs a HuggingFace tokenizer.json",
  );
  const tcPath = join(dir, "tokenizer_config.json");
  const tc = existsSync(tcPath) ? readJson(tcPath, "") : {};
  const config = existsSync(join(dir, "config.json")) ? readJson(join(dir, "config.json"), "") : {};
  const text = (
    typeof config.text_config === "object" && config.text_config !== null
      ? config.text_config
      : config
  ) as Json;
  const gen = existsSync(join(dir, "generation_config.json"))
    ? readJson(join(dir, "generation_config.json"), "")
    : {};
  const tok = new Tokenizer(tj, tc);

  const idOf = (v: unknown): number | null => {
    const t = tokenText(v);
    return t === null ? null : (tok.token_to_id(t) ?? null);
  };
  const bosText = tokenText(tc.bos_token);
  const bosTokenId = idOf(tc.bos_token) ?? ids(text.bos_token_id ?? config.bos_token_id)[0] ?? null;
  const eos = new Set<number>([
    ...ids(gen.eos_token_id),
    ...ids(text.eos_token_id ?? config.eos_token_id),
  ]);
  const eosFromTc = idOf(tc.eos_token);
  if (eosFromTc !== null) eos.add(eosFromTc);
  const padTokenId = idOf(tc.pad_token) ?? ids(text.pad_token_id ?? config.pad_token_id)[0] ?? null;

  const source = findTemplate(dir, tc);
  let template: Template | null = null;
  const render = (messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string => {
    if (source === null) {
      throw new SeigeError(
        "config_error",
        `${dir}: the tokenizer has no chat template (tokenizer_config.json "chat_template" or chat_template.jinja); encode plain text instead`,
      );
    }
    template ??= new Template(source);
    return template.render({
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      bos_token: bosText ?? "",
      eos_token: tokenText(tc.eos_token) ?? "",
      pad_token: tokenText(tc.pad_token) ?? "",
      ...opts.extra,
    });
  };

  const chatEncoder = new PrefixEncoder(
    (s) => tok.encode(s, { add_special_tokens: false }).ids,
    boundaryTokens(tj),
  );
  return {
    encode: (s, opts = {}) =>
      tok.encode(s, { add_special_tokens: opts.addSpecialTokens ?? true }).ids,
    // The library throws on an empty list; a generation that stops at once decodes to "".
    decode: (list, opts = {}) =>
      list.length === 0
        ? ""
        : tok.decode([...list], { skip_special_tokens: opts.skipSpecialTokens ?? false }),
    applyChatTemplate: render,
    encodeChat: (messages, opts) => chatEncoder.encodeText(render(messages, opts)),
    tokenToId: (t) => tok.token_to_id(t),
    idToToken: (id) => tok.id_to_token(id),
    bosTokenId,
    eosTokenIds: [...eos],
    padTokenId,
    hasChatTemplate: source !== null,
  };
}
