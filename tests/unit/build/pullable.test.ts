/**
 * Is a pushed digest pullable: the registry serves its manifest (each platform's of an
 * index) and has every blob; otherwise what the registry answered, for the message.
 */
import { checkPullable } from "../../../sdk/src/build/registry";

const D = (c: string) => "sha256:" + c.repeat(64);
const URI = "registry.example.com/team/app:0123";

/** A registry of manifests and blobs by digest, answering `status` for the ones listed. */
function registry(
    manifests: Record<string, unknown>,
    blobs: string[],
    broken: Record<string, number> = {},
): { fetch: typeof fetch; asked: string[] } {
    const asked: string[] = [];
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = String(input);
        asked.push(`${init?.method ?? "GET"} ${url.replace("https://registry.example.com/v2/team/app/", "")}`);
        const digest = url.slice(url.lastIndexOf("/") + 1);
        if (broken[digest]) return new Response(null, { status: broken[digest] });
        if (url.includes("/manifests/") && manifests[digest])
            return new Response(JSON.stringify(manifests[digest]), { status: 200 });
        if (url.includes("/blobs/") && blobs.includes(digest)) return new Response(null, { status: 200 });
        return new Response(null, { status: 404 });
    }) as typeof fetch;
    return { fetch: fetchImpl, asked };
}

const image = { config: { digest: D("c") }, layers: [{ digest: D("1") }, { digest: D("2") }] };

describe("checkPullable", () => {
    it("a manifest whose blobs are all there is pullable", async () => {
        const r = registry({ [D("a")]: image }, [D("c"), D("1"), D("2")]);
        expect(await checkPullable(URI, D("a"), { fetchImpl: r.fetch, dockerConfigDir: "/nonexistent" })).toBe(
            undefined,
        );
        expect(r.asked).toEqual([
            `GET manifests/${D("a")}`,
            `HEAD blobs/${D("c")}`,
            `HEAD blobs/${D("1")}`,
            `HEAD blobs/${D("2")}`,
        ]);
    });

    it("says what the registry answered for a manifest it cannot serve (the HTTP 500 of two pushes at once)", async () => {
        const r = registry({}, [], { [D("a")]: 500 });
        expect(await checkPullable(URI, D("a"), { fetchImpl: r.fetch, dockerConfigDir: "/nonexistent" })).toBe(
            `registry.example.com answered HTTP 500 for the manifest ${D("a")}`,
        );
    });

    it("names a missing layer", async () => {
        const r = registry({ [D("a")]: image }, [D("c"), D("1")]);
        expect(await checkPullable(URI, D("a"), { fetchImpl: r.fetch, dockerConfigDir: "/nonexistent" })).toBe(
            `registry.example.com answered HTTP 404 for the blob ${D("2")} of ${D("a")}`,
        );
    });

    it("checks every platform of an index", async () => {
        const index = { manifests: [{ digest: D("b") }, { digest: D("e") }] };
        const r = registry({ [D("a")]: index, [D("b")]: image }, [D("c"), D("1"), D("2")]);
        expect(await checkPullable(URI, D("a"), { fetchImpl: r.fetch, dockerConfigDir: "/nonexistent" })).toBe(
            `registry.example.com answered HTTP 404 for the manifest ${D("e")}`,
        );
    });
});
