package dev.clipserve.server.index;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

/**
 * A persistent, crash-safe vector index over Apache Lucene: one document per image id, with one
 * {@link KnnFloatVectorField} (HNSW, {@link VectorSimilarityFunction#DOT_PRODUCT}) per image model
 * of the embedding space and stored string metadata.
 *
 * <p><b>Durability.</b> {@link #upsert} and {@link #delete} return only after a Lucene commit that
 * includes their changes has been fsynced: an acknowledged write survives {@code kill -9}. Commits are
 * grouped: concurrent writers wait on one commit lock and a writer whose changes were already
 * included in another thread's commit returns without committing again. Searches see a write as soon
 * as it has been acknowledged.
 *
 * <p><b>Search.</b> Below {@link IndexConfig#exactBelow()} live items (or with {@link
 * SearchMode#EXACT}) every vector is scored exactly; otherwise Lucene's HNSW graph is searched with
 * {@code max(efSearch, k)} candidates. Both paths return the same contract: at most {@code k} hits
 * ordered by descending score, score = the dot product of query and image vector.
 *
 * <p><b>Threading.</b> All methods are safe to call from many threads; searches never block writes.
 * Not usable after {@link #close()}.
 */
public final class VectorIndex implements Closeable {
  /** Longest id accepted, in UTF-16 chars. */
  public static final int MAX_ID_LENGTH = 512;

  static final String ID_FIELD = "id";
  static final String VECTOR_PREFIX = "vec.";
  static final String META_PREFIX = "meta.";

  private final IndexConfig config;
  private final Map<String, Integer> modelDimensions;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Object commitLock = new Object();
  private final AtomicLong commits = new AtomicLong();
  private volatile long committedSeqNo;
  private final ExecutorService mergeExec; // null unless config.mergeWorkers() > 1

  private static void shutdown(ExecutorService exec) {
    if (exec != null) {
      exec.shutdownNow();
    }
  }

  private VectorIndex(IndexConfig config, Map<String, Integer> modelDimensions, Directory directory,
      IndexWriter writer, ExecutorService mergeExec) throws IOException {
    this.mergeExec = mergeExec;
    this.config = config;
    this.modelDimensions = modelDimensions;
    this.directory = directory;
    this.writer = writer;
    this.searchers = new SearcherManager(writer, null);
    this.committedSeqNo = writer.getMaxCompletedSequenceNumber();
  }

  /**
   * Opens (or creates) the index in {@code config.directory()}.
   *
   * @param modelDimensions image model name -> embedding dimension; every item must carry a vector
   *     for each of them
   * @throws IllegalStateException if the existing index stores a model's vectors with another
   *     dimension (message names the model)
   * @throws IOException if the folder cannot be opened or the index is corrupt
   */
  public static VectorIndex open(IndexConfig config, Map<String, Integer> modelDimensions)
      throws IOException {
    if (modelDimensions.isEmpty()) {
      throw new IllegalArgumentException("modelDimensions is empty: an index needs at least one image model");
    }
    modelDimensions.forEach((model, dim) -> {
      if (model == null || model.isEmpty() || dim == null || dim < 1) {
        throw new IllegalArgumentException("bad model dimension entry: " + model + " -> " + dim);
      }
    });
    Files.createDirectories(config.directory());
    Directory dir = FSDirectory.open(config.directory());
    ExecutorService mergeExec = config.mergeWorkers() > 1
        ? Executors.newFixedThreadPool(config.mergeWorkers(), r -> {
          Thread t = new Thread(r, "hnsw-merge");
          t.setDaemon(true);
          return t;
        })
        : null;
    KnnVectorsFormat format = mergeExec == null
        ? new Lucene99HnswVectorsFormat(config.hnswMaxConn(), config.hnswBeamWidth())
        : new Lucene99HnswVectorsFormat(config.hnswMaxConn(), config.hnswBeamWidth(), config.mergeWorkers(),
            mergeExec);
    IndexWriterConfig iwc = new IndexWriterConfig()
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setRAMBufferSizeMB(config.ramBufferMb())
        .setCodec(new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
          }
        });
    IndexWriter writer;
    try {
      writer = new IndexWriter(dir, iwc);
    } catch (IOException | RuntimeException e) {
      dir.close();
      shutdown(mergeExec);
      throw e;
    }
    try {
      checkDimensions(writer, modelDimensions);
      return new VectorIndex(config, Map.copyOf(modelDimensions), dir, writer, mergeExec);
    } catch (IOException | RuntimeException e) {
      writer.rollback();
      dir.close();
      shutdown(mergeExec);
      throw e;
    }
  }

  private static void checkDimensions(IndexWriter writer, Map<String, Integer> dims) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(writer)) {
      FieldInfos infos = FieldInfos.getMergedFieldInfos(reader);
      for (var e : dims.entrySet()) {
        FieldInfo fi = infos.fieldInfo(VECTOR_PREFIX + e.getKey());
        if (fi != null && fi.getVectorDimension() != e.getValue()) {
          throw new IllegalStateException("index stores model '" + e.getKey() + "' vectors of dimension "
              + fi.getVectorDimension() + " but the model has dimension " + e.getValue());
        }
      }
    }
  }

  /** The image models this index stores, name -> dimension. */
  public Map<String, Integer> modelDimensions() {
    return modelDimensions;
  }

  public IndexConfig config() {
    return config;
  }

  /**
   * Inserts or replaces items by id, durably: returns after the change is committed and fsynced.
   *
   * @throws IllegalArgumentException (before anything is written) for a duplicate id in the list, an
   *     empty or over-long id, a missing or unknown model, a vector of the wrong dimension, a
   *     non-finite or non-unit vector, or an empty metadata key
   * @return the number of items written
   */
  public int upsert(List<IndexedItem> items) throws IOException {
    List<Document> docs = new ArrayList<>(items.size());
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      IndexedItem item = items.get(i);
      if (!seen.add(item.id())) {
        throw new IllegalArgumentException("items[" + i + "].id: duplicate id '" + item.id() + "'");
      }
      docs.add(toDocument(item, i));
    }
    long seqNo = -1;
    for (int i = 0; i < docs.size(); i++) {
      seqNo = writer.updateDocument(new Term(ID_FIELD, items.get(i).id()), docs.get(i));
    }
    if (seqNo >= 0) {
      makeDurable(seqNo);
    }
    return docs.size();
  }

  private Document toDocument(IndexedItem item, int index) {
    String id = item.id();
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("items[" + index + "].id: must be 1.." + MAX_ID_LENGTH + " chars");
    }
    for (String model : item.vectors().keySet()) {
      if (!modelDimensions.containsKey(model)) {
        throw new IllegalArgumentException("items[" + index + "].vectors: unknown model '" + model + "'");
      }
    }
    Document doc = new Document();
    doc.add(new StringField(ID_FIELD, id, Field.Store.YES));
    for (var e : modelDimensions.entrySet()) {
      float[] v = item.vectors().get(e.getKey());
      String field = "items[" + index + "].vectors[" + e.getKey() + "]";
      if (v == null) {
        throw new IllegalArgumentException(field + ": missing (every image model of the space is required)");
      }
      checkUnitVector(field, v, e.getValue());
      doc.add(new KnnFloatVectorField(VECTOR_PREFIX + e.getKey(), v, VectorSimilarityFunction.DOT_PRODUCT));
    }
    for (var e : new java.util.TreeMap<>(item.metadata()).entrySet()) {
      if (e.getKey().isEmpty()) {
        throw new IllegalArgumentException("items[" + index + "].metadata: empty key");
      }
      doc.add(new StringField(META_PREFIX + e.getKey(), e.getValue(), Field.Store.YES));
    }
    return doc;
  }

  /** Throws IllegalArgumentException naming {@code field} unless v is finite, of length dim, unit norm. */
  static void checkUnitVector(String field, float[] v, int dim) {
    if (v.length != dim) {
      throw new IllegalArgumentException(field + ": dimension " + v.length + ", expected " + dim);
    }
    double sq = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException(field + ": contains NaN or infinity");
      }
      sq += (double) x * x;
    }
    if (Math.abs(Math.sqrt(sq) - 1.0) > 1e-3) {
      throw new IllegalArgumentException(field + ": not L2-normalized (norm " + Math.sqrt(sq) + ")");
    }
  }

  /**
   * Bulk load: adds every item (upsert by id) and commits once at the end; nothing is acknowledged
   * before that commit. For initial loads and benchmarks (one segment flush per RAM buffer rather
   * than per call).
   *
   * @return the number of items written
   */
  public long bulkLoad(Iterable<IndexedItem> items) throws IOException {
    long n = 0;
    long seqNo = -1;
    for (IndexedItem item : items) {
      seqNo = writer.updateDocument(new Term(ID_FIELD, item.id()), toDocument(item, (int) Math.min(n, Integer.MAX_VALUE)));
      n++;
    }
    if (seqNo >= 0) {
      makeDurable(seqNo);
    }
    return n;
  }

  /**
   * Deletes items by id, durably. Unknown ids are ignored.
   *
   * @return the ids that existed before the delete (a concurrent upsert of the same id may race)
   */
  public Set<String> delete(Collection<String> ids) throws IOException {
    Set<String> existed = new LinkedHashSet<>();
    IndexSearcher s = searchers.acquire();
    try {
      for (String id : ids) {
        if (s.count(new TermQuery(new Term(ID_FIELD, id))) > 0) {
          existed.add(id);
        }
      }
    } finally {
      searchers.release(s);
    }
    if (ids.isEmpty()) {
      return existed;
    }
    Term[] terms = ids.stream().map(id -> new Term(ID_FIELD, id)).toArray(Term[]::new);
    makeDurable(writer.deleteDocuments(terms));
    return existed;
  }

  /** Group commit: returns once a commit including operation {@code seqNo} is on disk and visible. */
  private void makeDurable(long seqNo) throws IOException {
    if (committedSeqNo < seqNo) {
      synchronized (commitLock) {
        if (committedSeqNo < seqNo) {
          // All operations with a sequence number <= c are in this commit (Lucene's contract).
          long c = writer.commit();
          commits.incrementAndGet();
          committedSeqNo = Math.max(committedSeqNo, c);
        }
      }
    }
    searchers.maybeRefreshBlocking();
  }

  /** Number of Lucene commits so far (for measuring group commit). */
  public long commitCount() {
    return commits.get();
  }

  /**
   * Top-k search by dot product with {@code query}.
   *
   * @param model image model whose vectors to search
   * @param query unit-length query vector of the model's dimension
   * @param k results wanted, >= 1
   * @param filter metadata key -> required exact value (all must match); keys must be known (see
   *     {@link #metadataFields()}), else nothing matches
   */
  public List<SearchHit> search(String model, float[] query, int k, Map<String, String> filter, SearchMode mode)
      throws IOException {
    return search(model, query, k, filter, mode, config.efSearch());
  }

  /** As {@link #search(String, float[], int, Map, SearchMode)} with an explicit HNSW {@code efSearch}. */
  public List<SearchHit> search(String model, float[] query, int k, Map<String, String> filter, SearchMode mode,
      int efSearch) throws IOException {
    int dim = dimensionOf(model);
    checkUnitVector("query", query, dim);
    IndexSearcher s = searchers.acquire();
    try {
      if (useExact(s, mode)) {
        return exactScan(s, model, k, filter, v -> VectorUtil.dotProduct(query, v));
      }
      return hnsw(s, model, query, Math.max(efSearch, k), k, filter);
    } finally {
      searchers.release(s);
    }
  }

  /**
   * Top-k by an arbitrary {@code scorer} of the stored vectors. Exact mode scores every live item.
   * HNSW mode scores the union of the ANN candidate pools of each of {@code candidateQueries}
   * ({@code pool} candidates each): items outside every pool are never returned.
   */
  public List<SearchHit> searchRescored(String model, List<float[]> candidateQueries, int pool, int k,
      Map<String, String> filter, SearchMode mode, VectorScorer scorer) throws IOException {
    int dim = dimensionOf(model);
    for (int i = 0; i < candidateQueries.size(); i++) {
      checkUnitVector("candidateQueries[" + i + "]", candidateQueries.get(i), dim);
    }
    IndexSearcher s = searchers.acquire();
    try {
      if (useExact(s, mode)) {
        return exactScan(s, model, k, filter, scorer);
      }
      Set<Integer> docs = new TreeSet<>();
      for (float[] q : candidateQueries) {
        TopDocs td = s.search(new KnnFloatVectorQuery(VECTOR_PREFIX + model, q, Math.max(pool, k),
            filterQuery(filter)), Math.max(pool, k));
        for (ScoreDoc sd : td.scoreDocs) {
          docs.add(sd.doc);
        }
      }
      List<ScoreDoc> scored = new ArrayList<>(docs.size());
      List<LeafReaderContext> leaves = s.getIndexReader().leaves();
      int leafIdx = -1;
      FloatVectorValues values = null;
      for (int doc : docs) { // ascending, so each leaf's iterator only moves forward
        int li = ReaderUtil.subIndex(doc, leaves);
        if (li != leafIdx) {
          leafIdx = li;
          values = leaves.get(li).reader().getFloatVectorValues(VECTOR_PREFIX + model);
        }
        int local = doc - leaves.get(li).docBase;
        if (values != null && values.advance(local) == local) {
          scored.add(new ScoreDoc(doc, scorer.score(values.vectorValue())));
        }
      }
      scored.sort(BY_SCORE_DESC);
      return toHits(s, scored.subList(0, Math.min(k, scored.size())), model);
    } finally {
      searchers.release(s);
    }
  }

  private static final Comparator<ScoreDoc> BY_SCORE_DESC =
      Comparator.<ScoreDoc>comparingDouble(sd -> -sd.score).thenComparingInt(sd -> sd.doc);

  private boolean useExact(IndexSearcher s, SearchMode mode) {
    return switch (mode) {
      case EXACT -> true;
      case HNSW -> false;
      case AUTO -> s.getIndexReader().numDocs() < config.exactBelow();
    };
  }

  private int dimensionOf(String model) {
    Integer dim = modelDimensions.get(model);
    if (dim == null) {
      throw new IllegalArgumentException("model: unknown image model '" + model + "'");
    }
    return dim;
  }

  private List<SearchHit> hnsw(IndexSearcher s, String model, float[] query, int ef, int k,
      Map<String, String> filter) throws IOException {
    TopDocs td = s.search(new KnnFloatVectorQuery(VECTOR_PREFIX + model, query, ef, filterQuery(filter)), ef);
    ScoreDoc[] sds = td.scoreDocs;
    List<ScoreDoc> top = new ArrayList<>(Math.min(k, sds.length));
    for (int i = 0; i < Math.min(k, sds.length); i++) {
      // Lucene's DOT_PRODUCT score is (1 + dot) / 2; the contract is the dot product itself.
      top.add(new ScoreDoc(sds[i].doc, 2f * sds[i].score - 1f));
    }
    return toHits(s, top, model);
  }

  private static Query filterQuery(Map<String, String> filter) {
    if (filter == null || filter.isEmpty()) {
      return null;
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    filter.forEach((k, v) -> b.add(new TermQuery(new Term(META_PREFIX + k, v)), BooleanClause.Occur.FILTER));
    return b.build();
  }

  private List<SearchHit> exactScan(IndexSearcher s, String model, int k, Map<String, String> filter,
      VectorScorer scorer) throws IOException {
    String field = VECTOR_PREFIX + model;
    Query fq = filterQuery(filter);
    Weight fw = fq == null ? null : s.createWeight(s.rewrite(fq), ScoreMode.COMPLETE_NO_SCORES, 1f);
    PriorityQueue<ScoreDoc> heap = new PriorityQueue<>(k + 1, BY_SCORE_DESC.reversed());
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      LeafReader leaf = ctx.reader();
      FloatVectorValues values = leaf.getFloatVectorValues(field);
      if (values == null) {
        continue;
      }
      Bits live = leaf.getLiveDocs();
      DocIdSetIterator allowed = null;
      if (fw != null) {
        Scorer sc = fw.scorer(ctx);
        if (sc == null) {
          continue;
        }
        allowed = sc.iterator();
      }
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (allowed != null) {
          if (allowed.docID() < doc) {
            allowed.advance(doc);
          }
          if (allowed.docID() != doc) {
            continue;
          }
        }
        float score = scorer.score(values.vectorValue());
        ScoreDoc sd = new ScoreDoc(ctx.docBase + doc, score);
        if (heap.size() < k) {
          heap.add(sd);
        } else if (BY_SCORE_DESC.compare(sd, heap.peek()) < 0) {
          heap.poll();
          heap.add(sd);
        }
      }
    }
    List<ScoreDoc> top = new ArrayList<>(heap);
    top.sort(BY_SCORE_DESC);
    return toHits(s, top, model);
  }

  private static List<SearchHit> toHits(IndexSearcher s, List<ScoreDoc> top, String model) throws IOException {
    var stored = s.storedFields();
    List<SearchHit> hits = new ArrayList<>(top.size());
    for (ScoreDoc sd : top) {
      Document d = stored.document(sd.doc);
      hits.add(new SearchHit(d.get(ID_FIELD), sd.score, metadataOf(d), model));
    }
    return hits;
  }

  private static Map<String, String> metadataOf(Document d) {
    Map<String, String> meta = new LinkedHashMap<>();
    for (IndexableField f : d.getFields()) {
      if (f.name().startsWith(META_PREFIX)) {
        meta.put(f.name().substring(META_PREFIX.length()), f.stringValue());
      }
    }
    return meta;
  }

  /** The stored vector of one item for one model, if the item exists. */
  public Optional<float[]> vector(String id, String model) throws IOException {
    dimensionOf(model);
    IndexSearcher s = searchers.acquire();
    try {
      TopDocs td = s.search(new TermQuery(new Term(ID_FIELD, id)), 1);
      if (td.scoreDocs.length == 0) {
        return Optional.empty();
      }
      int doc = td.scoreDocs[0].doc;
      List<LeafReaderContext> leaves = s.getIndexReader().leaves();
      LeafReaderContext ctx = leaves.get(ReaderUtil.subIndex(doc, leaves));
      FloatVectorValues values = ctx.reader().getFloatVectorValues(VECTOR_PREFIX + model);
      int local = doc - ctx.docBase;
      if (values == null || values.advance(local) != local) {
        return Optional.empty();
      }
      return Optional.of(values.vectorValue().clone());
    } finally {
      searchers.release(s);
    }
  }

  /** The stored metadata of one item, if it exists. */
  public Optional<Map<String, String>> metadata(String id) throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      TopDocs td = s.search(new TermQuery(new Term(ID_FIELD, id)), 1);
      if (td.scoreDocs.length == 0) {
        return Optional.empty();
      }
      return Optional.of(metadataOf(s.storedFields().document(td.scoreDocs[0].doc)));
    } finally {
      searchers.release(s);
    }
  }

  /** Metadata keys present in at least one stored item (the fields a filter may name). */
  public Set<String> metadataFields() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      Set<String> keys = new TreeSet<>();
      for (FieldInfo fi : FieldInfos.getMergedFieldInfos(s.getIndexReader())) {
        if (fi.name.startsWith(META_PREFIX)) {
          keys.add(fi.name.substring(META_PREFIX.length()));
        }
      }
      return keys;
    } finally {
      searchers.release(s);
    }
  }

  /** Live item count. */
  public int size() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      return s.getIndexReader().numDocs();
    } finally {
      searchers.release(s);
    }
  }

  /** Counts and bytes on disk, from the latest acknowledged state. */
  public IndexStats stats() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      Map<String, Long> perModel = new HashMap<>();
      for (String model : modelDimensions.keySet()) {
        perModel.put(model, (long) s.count(new FieldExistsQuery(VECTOR_PREFIX + model)));
      }
      return new IndexStats(s.getIndexReader().numDocs(), perModel, bytesOnDisk(),
          s.getIndexReader().leaves().size());
    } finally {
      searchers.release(s);
    }
  }

  private long bytesOnDisk() {
    try (Stream<Path> files = Files.list(config.directory())) {
      return files.mapToLong(p -> {
        try {
          return Files.isRegularFile(p) ? Files.size(p) : 0L;
        } catch (IOException e) {
          return 0L; // a file merged away while listing
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Merges to at most {@code maxSegments} segments and commits (slow; for bulk loads and benchmarks). */
  public void forceMerge(int maxSegments) throws IOException {
    writer.forceMerge(maxSegments);
    synchronized (commitLock) {
      writer.commit();
      commits.incrementAndGet();
    }
    searchers.maybeRefreshBlocking();
  }

  /** Commits anything pending, then closes the searcher and the writer. */
  @Override
  public void close() throws IOException {
    try {
      searchers.close();
    } finally {
      try {
        writer.close(); // commits pending changes
      } finally {
        directory.close();
        shutdown(mergeExec);
      }
    }
  }
}
