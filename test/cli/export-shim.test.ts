import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, plain JavaScript
import { plainExportShim } from '../../scripts/build-cli.mjs';
import { ensureBuilt, REPO } from './harness.js';

// esbuild's CommonJS output of an ES module, as it writes it (helpers abridged to what the shim calls).
const HELPERS =
  'var __defProp=Object.defineProperty;var __getOwnPropNames=Object.getOwnPropertyNames;var __hasOwnProp=Object.prototype.hasOwnProperty;' +
  'var __export=(target,all)=>{for(var name in all)__defProp(target,name,{get:all[name],enumerable:true})};' +
  'var __copyProps=(to,from)=>{for(let key of __getOwnPropNames(from))if(!__hasOwnProp.call(to,key))__defProp(to,key,{get:()=>from[key],enumerable:true});return to};' +
  'var __toCommonJS=mod=>__copyProps(__defProp({},"__esModule",{value:true}),mod);';
const CHUNK =
  `${HELPERS}var chunk_exports={};__export(chunk_exports,{count:()=>count,bump:()=>bump,$odd:()=>$odd,again:()=>ns_exports.a});module.exports=__toCommonJS(chunk_exports);` +
  'var ns_exports={};__export(ns_exports,{a:()=>a});var a=1;' +
  'let count=0;function bump(){count++;return ns_exports}var $odd=2;';

function load(code: string) {
  const module = { exports: {} as any };
  runInNewContext(code, { module });
  return module.exports;
}

describe("build-cli's export shim", () => {
  it('exports the same live bindings as esbuild, from one object of getters, without the copy', () => {
    const rewritten = plainExportShim(CHUNK);
    expect(rewritten).not.toContain('__toCommonJS(chunk_exports)');
    expect(rewritten).toContain('var chunk_exports={__esModule:true,get count(){return count},get bump(){return bump},get $odd(){return $odd},get again(){return ns_exports.a}};');
    for (const exports of [load(CHUNK), load(rewritten)]) {
      expect(exports.__esModule).toBe(true);
      expect(exports.count).toBe(0);
      // A namespace object (import * as ns) keeps its getters and gains no __esModule.
      expect(Object.keys(exports.bump())).toEqual(['a']);
      expect(exports.count).toBe(1);
      expect(exports.$odd).toBe(2);
      expect(exports.again).toBe(1);
    }
  });

  it('leaves code of another shape as esbuild wrote it', () => {
    const odd = `${HELPERS}var x_exports={};__export(x_exports,{a:()=>b[0]});module.exports=__toCommonJS(x_exports);var b=[1];`;
    expect(plainExportShim(odd)).toBe(odd);
    expect(load(plainExportShim(odd)).a).toBe(1);
    expect(plainExportShim('module.exports=1;')).toBe('module.exports=1;');
  });

  it('is applied to every chunk of the built shell', () => {
    ensureBuilt();
    const dir = join(REPO, 'dist', 'tsvirsh');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.cjs'))) {
      expect(readFileSync(join(dir, file), 'latin1')).not.toMatch(/module\.exports=__toCommonJS\(/);
    }
  });
});
