# One native library, build/Release/tsvirt.node, from every C file in the folders of native/src/ (abi/: the C
# ABI's handles and bridge; libvirt/: the public entry points; copy/: the copy engine): new files join the
# build without an edit here. It is a plain shared library that koffi loads (no N-API registration); the
# .node name is what node-gyp, prebuildify and node-gyp-build expect.
{
  "targets": [
    {
      "target_name": "tsvirt",
      "type": "loadable_module",
      "sources": ["<!@(ls -1 native/src/*/*.c)"],
      "include_dirs": ["native/src/abi", "native/src/libvirt", "native/src/copy", "include"],
      "defines": ["_GNU_SOURCE", "_FILE_OFFSET_BITS=64"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-fvisibility=default", "-pthread"],
      "cflags_c": ["-std=c11"],
      # Only the API and one private entry point are exported (native/exports.map says why and what).
      "ldflags": ["-pthread", "-Wl,--version-script=<(module_root_dir)/native/exports.map"],
      "libraries": ["-ldl"],
      "configurations": {
        # node's common.gypi asks for -O3; this is I/O-bound code, -O2 is plenty.
        "Release": { "cflags!": ["-O3"], "cflags": ["-O2"] }
      }
    }
  ]
}
