/**
 * Reference counting with libvirt's semantics: an object starts with one reference (its creator's), `ref()`
 * adds one, `unref()` drops one and disposes the object when none are left. A disposed object stays a valid
 * JavaScript value but every entry point rejects it, as libvirt rejects a freed pointer.
 */
export abstract class VirObject {
  #refCount = 1;

  /** False once the last reference was dropped. */
  get alive(): boolean {
    return this.#refCount > 0;
  }

  get refs(): number {
    return this.#refCount;
  }

  ref(): this {
    this.#refCount++;
    return this;
  }

  /** Drops one reference and returns how many are left. */
  unref(): number {
    if (this.#refCount <= 0) return 0;
    if (--this.#refCount === 0) this.dispose();
    return this.#refCount;
  }

  /** Releases what the object holds; runs exactly once, when the last reference goes. */
  protected dispose(): void {}
}
