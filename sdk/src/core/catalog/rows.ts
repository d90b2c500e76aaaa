/**
 * The row of a catalogue whose name or one of its aliases is `D` (`Rows`: the union of the
 * catalogue's row types), so a type can follow one entry: `MigProfile<"A100">`.
 */
export type RowNamed<Rows, D extends string> = Rows extends infer R
    ? R extends { name: infer N; aliases: readonly (infer A)[] }
        ? D extends N | A
            ? R
            : never
        : never
    : never;
