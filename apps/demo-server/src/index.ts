// @mmo/demo-server: the demo game as a library (the tests and embedders use it; the CLI is cli.ts).
export { createDemoServer, defaultStaticDir, DEMO_CONFIG_PATH, DEMO_WS_PATH, pageUrl } from './demo-server.js';
export type { DemoServer, DemoServerOptions } from './demo-server.js';
export { actionValidatorDefaults, createActionValidator, DEMO_EMOTES, DemoAction } from './actions.js';
export type { ActionValidatorOptions, DemoActionName } from './actions.js';
export { createDevTokenRoute, DEV_NAME_PATTERN, DEV_TOKEN_PATH, devTokenDefaults } from './dev-tokens.js';
export type { DevTokenOptions } from './dev-tokens.js';
export { createWanderers, wanderersDefaults } from './npcs.js';
export type { Wanderers, WanderersOptions } from './npcs.js';
export { createDemoFriends, demoFriendsDefaults } from './presence.js';
export type { DemoFriends, DemoFriendsOptions } from './presence.js';
export { CONTENT_TYPES, createStaticRoute } from './static-files.js';
export { demoWorldDefaults, randomPointIn, resolveDemoWorld, seededRandom } from './world.js';
export type { DemoWorld, DemoWorldOptions, WalkableArea } from './world.js';
export { DemoConfigError, readDemoCliConfig, usage } from './cli-config.js';
export type { DemoCliConfig } from './cli-config.js';
