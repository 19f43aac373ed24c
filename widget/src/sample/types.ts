// SampleView's wire (see the sample contract): its synced traits, the sample's head, one chat
// message and the one request. Keys are snake_case, as the Python widget writes them.
import type { Exchange, PingExchange } from "../shared/rpc";
import type { SampleScoreView } from "../shared/scores";

export interface ScoreEntry {
  name: string;
  value: unknown;
  answer: string | null;
  explanation: string | null;
  metadata: Record<string, unknown> | null;
}

/** A built-in section of a scanner result. `label` and `collapsed` are Inspect's
 * ScannerResultField overrides; the contract does not send them yet, so both are optional. */
export interface BuiltinSection {
  kind: "explanation" | "label" | "value" | "validation" | "answer";
  label?: string | null;
  collapsed?: boolean;
}

/** The generic metadata dump, less the keys shown elsewhere or excluded. */
export interface MetadataSection {
  kind: "metadata";
  hidden_keys?: string[];
  label?: string | null;
  collapsed?: boolean;
}

/** One metadata entry promoted to its own section (Inspect's MetadataField). */
export interface MetadataKeySection {
  kind: "metadata_key";
  key: string;
  label: string | null;
  collapsed: boolean;
}

export type Section = BuiltinSection | MetadataSection | MetadataKeySection;

/** A scanner's score, with its sections already resolved by the kernel. */
export interface ScanEntry extends ScoreEntry {
  sections: Section[];
}

export interface ModelUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  total_tokens?: number | null;
  [key: string]: unknown;
}

export interface SampleInfo {
  model_usage: Record<string, ModelUsage> | null;
  total_time: number | null;
  working_time: number | null;
  retries: number | null;
  total_tokens: number | null;
}

/** Everything about the sample except its messages. */
export interface SampleHead {
  log: string;
  id: string | number;
  epoch: number;
  task: string | null;
  model: string | null;
  target: string | string[] | null;
  /** false: the log's content is shown as plain text only (ViewerConfig.trust_content). */
  trust_content: boolean;
  message_count: number;
  scores: ScoreEntry[];
  sample_score_view: SampleScoreView | null;
  scans: ScanEntry[];
  metadata: Record<string, unknown> | null;
  info: SampleInfo | null;
  error: { message: string; traceback: string | null } | null;
  limit: { type: string; limit: number | null } | null;
}

export type Part =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string; redacted: boolean }
  /** `src` is a data: URI or null (the kernel drops any other). */
  | { type: "image"; src: string | null; alt: string }
  /** A part the view does not know (audio, video, document, …) as JSON text. */
  | { type: "other"; text: string };

export interface ToolCall {
  id: string;
  function: string;
  /** Pretty JSON text. */
  arguments: string;
  /** Index of the tool message answering this call. */
  result_index: number | null;
}

/** One chat message; `index` is 0-based and shown as M{index + 1}. */
export interface Message {
  index: number;
  id: string | null;
  role: "system" | "user" | "assistant" | "tool";
  parts: Part[];
  tool_calls: ToolCall[] | null;
  /** Tool messages: the call they answer, its function and arguments (pretty JSON). */
  tool_call_id: string | null;
  function: string | null;
  call_arguments: string | null;
  /** A tool's error message. */
  error: string | null;
  model: string | null;
  /** Total text length: long messages start collapsed. */
  chars: number;
}

export interface MessagesReply {
  revision: number;
  offset: number;
  messages: Message[];
}

/** Where messages beyond the first window come from: the kernel (SampleView) or, embedded,
 * whatever the host asks. Resolves with the revision the messages belong to. */
export type FetchMessages = (offset: number, limit: number) => Promise<MessagesReply>;

/** What the sample view asks its kernel. */
export interface SampleRequests extends PingExchange {
  messages: Exchange<{ offset: number; limit: number }, MessagesReply>;
}

/** SampleView's synced traits. */
export interface SampleState {
  _head: SampleHead;
  /** The first window (up to 50): a saved notebook shows them without a kernel. */
  _initial_messages: Message[];
  /** Bumped when the sample changes; answers for an older revision are dropped. */
  _revision: number;
}
