// How the tests' runner venv finds its packages: local indexes only, so the unreachable public
// index is never tried (each miss there costs minutes of retries).
import { describe, expect, it } from "vitest";
import { localPackageIndex, parsePipConfig } from "../support/runner-venv";

// `pip config list` on our machines (the :env: lines come from PIP_* variables).
const PIP_CONFIG = `:env:.cert='/etc/ssl/certs/ca-certificates.crt'
:env:.default-timeout='180'
:env:.disable-pip-version-check='1'
:env:.find-links='/opt/wheels'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
`;

describe("the runner venv's package index", () => {
  it("makes pip's local file:// indexes the index, so PyPI is never asked", () => {
    expect(localPackageIndex({}, parsePipConfig(PIP_CONFIG))).toEqual({
      packageIndexUrl: "file:///opt/pypi/simple",
      extraIndexUrls: ["file:///opt/pypi-more/simple"],
      findLinks: ["/opt/wheels"],
    });
  });

  it("leaves pip's configuration alone when it names a remote index or none, and lets the environment decide first", () => {
    expect(
      localPackageIndex({}, parsePipConfig("global.index-url='https://mirror.lan/simple'\nglobal.extra-index-url='file:///opt/pypi/simple'\n")),
    ).toBeNull();
    expect(localPackageIndex({}, parsePipConfig(""))).toBeNull();
    expect(localPackageIndex({ FTF_PIP_INDEX_URL: "https://mirror.lan/simple", FTF_PIP_FIND_LINKS: "/w1 /w2" }, parsePipConfig(PIP_CONFIG))).toEqual({
      packageIndexUrl: "https://mirror.lan/simple",
      extraIndexUrls: [],
      findLinks: ["/w1", "/w2"],
    });
  });
});
