/*
 * live-handles.h: how many handles of tsvirt are valid now, the count the tests read to find leaks.
 *
 * The library exports no bridge function (native/exports.map): abi_debug_live_handles() is reached through
 * its one private symbol, tsvirt_private_symbol(), which no public header declares.
 */
#ifndef LIVE_HANDLES_H
#define LIVE_HANDLES_H

typedef void (*tsvirt_private_function)(void);
extern tsvirt_private_function tsvirt_private_symbol(const char *name);

/* -1 if the library has no such function. */
static inline int
live_handles(void)
{
    int (*count)(void) = (int (*)(void))tsvirt_private_symbol("abi_debug_live_handles");
    return count ? count() : -1;
}

#endif /* LIVE_HANDLES_H */
