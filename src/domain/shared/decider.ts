/**
 * The decider pattern (HOUSE-STYLE "Aggregates are deciders"): a command is decided on state rebuilt
 * from the stream; `decide` returns the events to append or throws a typed `DomainError`.
 */

/**
 * A decider: initial state, `evolve` to fold events, `decide` to answer commands. `Recorded` is what
 * `evolve` reads (an event with its envelope: id, metadata), `Event` what `decide` emits (`{type, data}`;
 * the handler adds the envelope).
 */
export interface Decider<Command, State, Event, Recorded = Event> {
  initialState: () => State;
  evolve: (state: State, event: Recorded) => State;
  decide: (command: Command, state: State) => Event[];
}

/** Folds `events` into state with `evolve`, starting from `initial`. */
export function fold<State, Event>(evolve: (s: State, e: Event) => State, initial: State, events: Iterable<Event>): State {
  let state = initial;
  for (const e of events) state = evolve(state, e);
  return state;
}

/** Exhaustiveness check for `switch` statements over tagged unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
