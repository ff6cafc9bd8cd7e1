import type { VirObject } from '../core/object.js';

/**
 * Each tsvirt object owns one reference on its handle. It is released by `free()` (or `using`), or when the
 * object is garbage-collected, as libvirt's language bindings do, so forgetting to free leaks nothing.
 */
const registry = new FinalizationRegistry<VirObject>((handle) => {
  if (handle.alive) handle.unref();
});

export abstract class Owned<H extends VirObject> implements Disposable {
  /** @internal */
  readonly handle: H;

  constructor(handle: H) {
    this.handle = handle;
    registry.register(this, handle, this);
  }

  /** Releases this object's reference now (idempotent). */
  free(): void {
    if (registry.unregister(this) && this.handle.alive) this.handle.unref();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
