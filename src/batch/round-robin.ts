/**
 * Members taken in turn, two levels deep: one group after the other (the principals), and within a
 * group one member after the other (a principal's tasks). A group with many members gets no more
 * turns than a group with one.
 */
export class RoundRobin<T> {
  /** Groups, and each group's members, in the order their next turn comes. */
  private readonly groups = new Map<string, Set<T>>();

  get empty(): boolean {
    return this.groups.size === 0;
  }

  add(group: string, member: T): void {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Set()));
    members.add(member);
  }

  delete(group: string, member: T): void {
    const members = this.groups.get(group);
    if (!members?.delete(member)) return;
    if (members.size === 0) this.groups.delete(group);
  }

  /** The member whose turn it is, moved to the back of its group, its group to the back of the groups. */
  next(): T | undefined {
    const first = this.groups.entries().next();
    if (first.done) return undefined;
    const [group, members] = first.value;
    const member = members.values().next().value!;
    members.delete(member);
    members.add(member);
    this.groups.delete(group);
    this.groups.set(group, members);
    return member;
  }

  /** Every member, in no particular order. */
  *[Symbol.iterator](): Iterator<T> {
    for (const members of this.groups.values()) yield* members;
  }

  clear(): void {
    this.groups.clear();
  }
}
