/*
 * abi_private.h: the library's one exported symbol besides libvirt's API and the job API.
 *
 * The bridge's functions (abi_*, tsvirt_copy_*, tsvirt_tmpfile_*) are local symbols: a program linked
 * against tsvirt sees only what include/libvirt/ declares.  src/ffi reaches them by name through
 * tsvirt_private_symbol(), which no public header declares, and binds the pointer it gets with koffi.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef TSVIRT_ABI_PRIVATE_H
#define TSVIRT_ABI_PRIVATE_H

typedef void (*tsvirt_private_function)(void);

/* The bridge function called name (its C name, e.g. "abi_handle_new"), cast to a generic function
 * pointer; NULL if there is none.  Any thread. */
tsvirt_private_function tsvirt_private_symbol(const char *name);

/* Runs a C program built as a shared object (abi_program.c); for the runner, src/ffi/program.ts. */
int abi_program_start(const char *path, int argc, const char **argv, void (*done)(int status), char *error, int size);

#endif /* TSVIRT_ABI_PRIVATE_H */
