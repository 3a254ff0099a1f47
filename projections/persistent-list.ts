/**
 * An immutable singly linked list, newest first. Prepending is O(1) and every older model
 * version keeps sharing its tail, so folding histories never copies them.
 */
export type List<T> = { readonly head: T; readonly tail: List<T> } | undefined;

export const prepend = <T>(list: List<T>, head: T): List<T> => ({ head, tail: list });

export function* newestFirst<T>(list: List<T>): Generator<T> {
  for (let node = list; node; node = node.tail) yield node.head;
}

export const oldestFirst = <T>(list: List<T>): T[] => [...newestFirst(list)].reverse();
