/** One page of a List RPC, whatever its repeated field is called. */
export interface Page<Item> {
  readonly items: readonly Item[];
  readonly nextPageToken: string;
}

/** Pages sizes the List RPCs accept (the server caps larger ones anyway). */
export const MAX_PAGE_SIZE = 500;

/**
 * Follows next_page_token until `limit` items are in hand or the list ends. Each page asks only for what is
 * still missing, so the server does no work the operator will not see.
 */
export async function collectPages<Item>(limit: number, fetchPage: (pageSize: number, pageToken: string) => Promise<Page<Item>>): Promise<Item[]> {
  const items: Item[] = [];
  let pageToken = "";
  do {
    const page = await fetchPage(Math.min(limit - items.length, MAX_PAGE_SIZE), pageToken);
    items.push(...page.items.slice(0, limit - items.length));
    pageToken = page.nextPageToken;
    // A page without items and with a token would loop forever on a misbehaving server.
    if (page.items.length === 0) break;
  } while (pageToken !== "" && items.length < limit);
  return items;
}
