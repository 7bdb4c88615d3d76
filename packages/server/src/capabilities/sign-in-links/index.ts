/**
 * Sign-in links: magic links and password resets (service.ts) and their hosted pages (pages.ts).
 */
export {
  createSignInLinksService,
  type LinkPurpose,
  type SignInLinksService,
} from './service.ts';
