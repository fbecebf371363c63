/** The simulator draws from the runtime's seeded generator (shared with model training). */
export { SeededRandom } from "../../runtime/index.js";
