/** The part of autocannon 9's API the benchmarks use (the package ships no types). */
declare module "autocannon" {
  type Headers = Record<string, string>;
  type Context = Record<string, unknown>;
  type Request = { method?: string; path?: string; headers?: Headers; body?: string };

  export type Options = {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    method?: string;
    headers?: Headers;
    body?: string;
    requests?: (Request & {
      setupRequest?: (request: Request, context: Context) => Request;
      onResponse?: (status: number, body: string, context: Context, headers: Headers) => void;
    })[];
  };

  type Histogram = { average: number; mean: number; p50: number; p90: number; p99: number; max: number; total: number };

  export type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    "3xx": number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
  };

  export default function autocannon(options: Options): Promise<Result>;
}
