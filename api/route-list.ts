// Every route the app registered, read from Express's own router stack: what the route × role
// test holds its table against, so a route added without a row fails it.
import type { Express } from 'express';

interface StackLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

function walk(stack: readonly StackLayer[], out: Set<string>): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) for (const path of paths) out.add(`${method.toUpperCase()} ${path}`);
    } else if (layer.handle?.stack) {
      // A Router mounted with app.use(router): Sigap mounts every router at the root.
      walk(layer.handle.stack, out);
    }
  }
}

/** `METHOD /path` of every route, in registration order; Express answers HEAD for each GET by itself. */
export function registeredRoutes(app: Express): string[] {
  const out = new Set<string>();
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack, out);
  return [...out];
}
