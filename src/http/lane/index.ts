export { type ConnectorLaneOptions, connectorLane, type RequestHandler } from './lane.js';
export { type LaneRequest, type LaneRoute, laneConnector, mountLaneRoute } from './route.js';
