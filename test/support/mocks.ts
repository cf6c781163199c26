import * as pulumi from "@pulumi/pulumi";
import { mockState } from "./mock-state";

/** One registration the mocks saw: type token, logical name, inputs, and its options. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  /** The provider reference of the request (`<provider urn>::<provider id>`), or "" for none. */
  readonly provider: string;
  /** The parent's URN, "" for none. */
  readonly parent: string;
  /** The URNs the resource depends on: its `dependsOn` and the resources its inputs came from. */
  readonly dependencies: readonly string[];
  /** Pulumi's `import` option: the ID of the existing resource to take over, "" for none. */
  readonly importId: string;
  /** The `ignoreChanges` option. */
  readonly ignoreChanges: readonly string[];
  /** Set when the mock monitor answers the request. */
  urn?: string;
}

export const registered: Registered[] = [];

/** What the wrapped monitor saw of the request being answered (see `useMocks`). */
let request:
  { provider: string; parent: string; dependencies: string[]; ignoreChanges: string[] } | undefined;

/**
 * Pulumi mocks that echo inputs and add the outputs each cloud computes (ARNs, IDs, e-mails),
 * shaped like the real ones. They prove nothing about what a cloud accepts.
 */
export const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const seen = request ?? {
      provider: args.provider ?? "",
      parent: "",
      dependencies: [],
      ignoreChanges: [],
    };
    request = undefined;
    registered.push({
      type: args.type,
      name: args.name,
      custom: args.custom ?? true,
      inputs: args.inputs as Record<string, unknown>,
      importId: args.id ?? "",
      ...seen,
    });
    const state = mockState(args.type, args.inputs as Record<string, unknown>);
    return { id: `${args.name}-id`, state };
  },
  call: (args) => args.inputs as Record<string, unknown>,
};

interface RegisterRequest {
  getProvider(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: unknown, response?: RegisterResponse) => void;
interface MockMonitor {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

/**
 * Installs the mocks (outside preview) and wraps the mock monitor's `registerResource`, so each
 * `Registered` also carries the request's provider reference, parent and dependencies, and its
 * URN. The monitor calls `mocks.newResource` synchronously from `registerResource`, before its
 * first `await`, so the request noted here is the one `newResource` records.
 */
export async function useMocks(): Promise<void> {
  // registrations another test file left in flight would land in `registered`
  await settle();
  await pulumi.runtime.setMocks(mocks, "trustplane", "test", false);
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    request = {
      provider: req.getProvider(),
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      ignoreChanges: req.getIgnorechangesList(),
    };
    const entries = registered.length;
    return register(req, (err, response) => {
      const entry = registered[entries];
      if (entry && response) entry.urn = response.getUrn();
      callback(err, response);
    });
  };
}

/** Waits until every registration started so far has reached the mocks. */
export async function settle(): Promise<void> {
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Resolves an output (under mocks, outside preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** The messages `pulumi.log.warn` is called with while silenced; `restore` puts it back. */
export function silenceWarnings(): { messages: string[]; restore(): void } {
  const log = pulumi.log as unknown as { warn: typeof pulumi.log.warn };
  const original = log.warn;
  const messages: string[] = [];
  log.warn = (message) => {
    messages.push(message);
    return Promise.resolve();
  };
  return {
    messages,
    restore: () => {
      log.warn = original;
    },
  };
}

/** `<type> <name>`: how the tests compare registrations with the plan. */
export function key(r: { readonly type: string; readonly name: string }): string {
  return `${r.type} ${r.name}`;
}

/** The custom resources registered, as sorted keys (providers a test creates left out). */
export function customKeys(seen: readonly Registered[]): string[] {
  return seen
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map(key)
    .sort();
}

/**
 * Runs `make` (which constructs components) from an empty record, waits until every
 * registration it started reached the mocks, and returns its result and what was registered.
 * A throw from `make` is returned, after the registrations it started have settled.
 */
export async function registering<T>(
  make: () => T,
): Promise<{ value?: T; error?: unknown; seen: Registered[] }> {
  await settle();
  registered.length = 0;
  let value: T | undefined;
  let error: unknown;
  try {
    value = make();
  } catch (e) {
    error = e;
  }
  await settle();
  const seen = registered.splice(0);
  return error === undefined ? { value: value as T, seen } : { error, seen };
}
