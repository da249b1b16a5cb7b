import { Time } from "./time";

/** The deadline with how long is left, or that there is none. */
export function Deadline({ closesAt, left }: { closesAt: string | null; left: string | null }) {
  if (!closesAt) return <span>No deadline set</span>;
  return (
    <span>
      <Time value={closesAt} />
      {left ? <strong> ({left})</strong> : null}
    </span>
  );
}
