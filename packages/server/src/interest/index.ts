// Interest management: a 3-D spatial hash grid and per-observer interest sets. Named exports only.
export { SpatialGrid, spatialGridDefaults } from './spatial-grid.js';
export type { SpatialGridOptions, SpatialVisitor } from './spatial-grid.js';
export { InterestSet, interestSetDefaults } from './interest-set.js';
export type { InterestDiff, InterestSetOptions, InterestSource } from './interest-set.js';
