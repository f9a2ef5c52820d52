/**
 * The root every signed link starts from: the server's public URL without its trailing slashes,
 * so `https://wm.example.com/` and `https://wm.example.com` make the same links.
 */

/** `publicUrl` without trailing slashes: what `/f/…`, `/u/…` and `/t/…` are appended to. */
export function linkRoot(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}
