/**
 * The environment every `sky` the app runs gets: Carapace's own, with the network
 * settings saved from the page and the team's API server (SkyPilot reads
 * SKYPILOT_API_SERVER_ENDPOINT, sky/server/common.py). Asked anew for each run, so
 * that a saved setting applies without a restart.
 */
import { type Settings, TEAM_SERVER } from '../settings/settings.js';

export function skyEnvironment(env: NodeJS.ProcessEnv, settings: Settings): NodeJS.ProcessEnv {
  const withSettings: NodeJS.ProcessEnv = { ...env };
  for (const name of ['HTTPS_PROXY', 'SSL_CERT_FILE'] as const) {
    const value = settings.value(name);
    if (value) withSettings[name] = value;
  }
  const team = settings.value(TEAM_SERVER);
  if (team) withSettings.SKYPILOT_API_SERVER_ENDPOINT = team;
  return withSettings;
}
