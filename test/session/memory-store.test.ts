import { MemoryTokenStore } from "../../generator/runtime/store.js";
import { describeTokenStore } from "./store-conformance.js";

describeTokenStore("MemoryTokenStore", () => {
  let now = 1_700_000_000_000;
  const store = new MemoryTokenStore(() => now);
  return {
    store,
    advance: async (ms) => {
      now += ms;
    },
  };
});
