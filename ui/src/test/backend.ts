// A stand-in for the Rust side in component tests: Tauri's own IPC mock, answering each
// command from a table and remembering every call, so a test says what the device holds
// and checks what the window asked of it. api.ts runs unchanged on top.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CommandError } from "../bindings/CommandError";

export type Handler = (args: Record<string, unknown>) => unknown;

export interface Call {
  command: string;
  args: Record<string, unknown>;
}

export interface FakeBackend {
  calls: Call[];
  /** Replaces how one command answers. */
  on(command: string, handler: Handler): void;
  /** The calls made to one command, in order. */
  callsTo(command: string): Record<string, unknown>[];
}

/** A command failing the way the device's commands fail. */
export class Refusal {
  constructor(readonly error: CommandError) {}
}

export function fakeBackend(handlers: Record<string, Handler> = {}): FakeBackend {
  const table = new Map(Object.entries(handlers));
  const calls: Call[] = [];
  mockIPC(
    (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ command, args });
      const handler = table.get(command);
      if (!handler) throw new Error(`the test did not expect the command ${command}`);
      const answer = handler(args);
      if (answer instanceof Refusal) return Promise.reject(answer.error);
      return answer;
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    on: (command, handler) => void table.set(command, handler),
    callsTo: (command) => calls.filter((c) => c.command === command).map((c) => c.args),
  };
}

export function resetBackend(): void {
  clearMocks();
}
