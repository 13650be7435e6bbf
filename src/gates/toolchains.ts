import type { ImageReference } from "../reference/types.ts";

// What counts as build time. A toolchain image exists to compile: its purpose is the compiler,
// whatever runtime it also carries. An interpreter image (node, python, php, ruby) is a runtime,
// even though it can install native modules; but the default, non-slim variants of node,
// python, ruby and perl are built on buildpack-deps and so carry gcc and make in the runtime.

/** Official images whose purpose is compiling (Docker Hub `library/` names). */
const TOOLCHAIN_IMAGES = new Set([
  "rust",
  "golang",
  "gcc",
  "buildpack-deps",
  "maven",
  "gradle",
  "openjdk",
  "clojure",
  "haskell",
  "swift",
]);

/** Java distributions that publish both a JDK (toolchain) and a JRE (runtime) per tag. */
const JAVA_DISTRIBUTIONS = new Set([
  "eclipse-temurin",
  "amazoncorretto",
  "ibm-semeru-runtimes",
  "sapmachine",
  "ibmjava",
]);

/** Interpreter images whose full variant is built on buildpack-deps, compilers included. */
const FULL_VARIANT_ON_BUILDPACK = new Set(["node", "python", "ruby", "perl"]);

/** Tag components that mark a variant without the buildpack-deps toolchain. */
const LEAN_VARIANTS = ["slim", "alpine", "windowsservercore", "nanoserver", "distroless"];

/** The short name of an image for these tables: the repository without `library/`. */
function shortName(ref: ImageReference): string {
  return ref.repository.replace(/^library\//, "");
}

/** Why an image is a toolchain image, or undefined when it is a runtime. */
export function toolchainImage(ref: ImageReference): string | undefined {
  const name = shortName(ref);
  const official = ref.registry === "docker.io";
  if (official && TOOLCHAIN_IMAGES.has(name)) return `${name} is a toolchain image`;
  if (name.endsWith("cargo-chef")) return "cargo-chef is a Rust build-caching toolchain";
  if (ref.registry === "mcr.microsoft.com" && name === "dotnet/sdk")
    return "dotnet/sdk is the .NET SDK";
  const tag = ref.tag ?? "";
  if (official && JAVA_DISTRIBUTIONS.has(name) && !/jre/.test(tag)) {
    return `${name}:${tag || "(no tag)"} is a JDK; its runtime is the jre variant`;
  }
  return undefined;
}

/** True when the image is the full variant of an interpreter built on buildpack-deps. */
export function isFullVariant(ref: ImageReference): boolean {
  if (ref.registry !== "docker.io" || !FULL_VARIANT_ON_BUILDPACK.has(shortName(ref))) return false;
  const parts = (ref.tag ?? "").toLowerCase().split(/[-_]/);
  return !parts.some((part) => LEAN_VARIANTS.some((lean) => part.startsWith(lean)));
}

/** Distribution packages that are compilers or build drivers (names after normalisation). */
const COMPILER_PACKAGES = new Set([
  "gcc",
  "g++",
  "c++",
  "cc",
  "gcc-c++",
  "clang",
  "clang++",
  "gfortran",
  "tcc",
  "zig",
  "build-essential",
  "build-base",
  "make",
  "cmake",
  "ninja",
  "ninja-build",
  "meson",
  "autoconf",
  "automake",
  "libtool",
  "cargo",
  "rustc",
  "rustup",
  "golang",
  "golang-go",
  "go",
  "default-jdk",
  "default-jdk-headless",
  "maven",
  "gradle",
]);

/** Whether a package (normalised name) is a compiler or a build driver. */
export function isCompilerPackage(name: string): boolean {
  return (
    COMPILER_PACKAGES.has(name) ||
    /^golang-[\d.]+-go$/.test(name) ||
    /^openjdk-\d+-jdk(-headless)?$/.test(name) ||
    /^java-[\d.]+-openjdk-devel$/.test(name)
  );
}

/** Whether a package only carries headers and link libraries for building. */
export function isDevelopmentPackage(name: string): boolean {
  return /-(dev|devel)$/.test(name);
}
