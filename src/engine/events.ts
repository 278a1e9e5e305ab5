/** What the engine reports while it works; renderers (listr2, plain lines, JSON) consume these. */
export type BuildEvent =
  | { readonly type: 'note'; readonly message: string }
  | { readonly type: 'queued'; readonly image: string; readonly parent: string | undefined }
  | { readonly type: 'started'; readonly image: string; readonly reasons: readonly string[] }
  | { readonly type: 'reused'; readonly image: string; readonly id: string }
  | { readonly type: 'log'; readonly image: string; readonly line: string }
  | { readonly type: 'done'; readonly image: string; readonly id: string; readonly durationMs: number }
  | {
      readonly type: 'failed';
      readonly image: string;
      readonly message: string;
      readonly logFile: string | undefined;
      readonly logTail: readonly string[];
      readonly durationMs: number;
    }
  | { readonly type: 'skipped'; readonly image: string; readonly because: string };

export type EmitEvent = (event: BuildEvent) => void;
