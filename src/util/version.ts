// The version of faultline recorded in every test.json and results.json (test/util/version.test.ts keeps it equal to package.json's).
export const FAULTLINE_VERSION = '0.1.0';
