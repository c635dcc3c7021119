import { Link } from 'wouter';
import { useTitle } from '../hooks';

export function NotFoundPage() {
  useTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>There is no console page at this address.</p>
      <p>
        <Link href="/agents">Go to the agents</Link>
      </p>
    </>
  );
}
