// natural ships one .d.ts for its whole index; these are the two submodules core imports directly,
// so that loading core does not load all of natural (classifiers, WordNet, taggers).
declare module "natural/lib/natural/phonetics/double_metaphone.js" {
  class DoubleMetaphone {
    process(token: string, maxLength?: number): [string, string];
  }
  export = DoubleMetaphone;
}
declare module "natural/lib/natural/distance/jaro-winkler_distance.js" {
  function JaroWinklerDistance(s1: string, s2: string, options?: { ignoreCase?: boolean }): number;
  export = JaroWinklerDistance;
}
