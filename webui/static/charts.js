// Supervision charts (chart.js from npm): satisfaction per lead unit, answer-class distribution.
(() => {
  const data = JSON.parse(document.getElementById('chart-data').textContent);
  new Chart(document.getElementById('satisfaction-chart'), {
    type: 'bar',
    data: { labels: data.labels, datasets: [{ label: data.satisfactionLabel,
      data: data.satisfaction.map((v) => (v === null ? null : Math.round(v * 1000) / 10)),
      backgroundColor: '#b3261e' }] },
    options: { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } } } },
  });
  new Chart(document.getElementById('class-chart'), {
    type: 'doughnut',
    data: { labels: ['A', 'B', 'C', 'D'], datasets: [{ label: data.classLabel, data: data.classes,
      backgroundColor: ['#2e7d32', '#f3a712', '#6d6d6d', '#90a4ae'] }] },
  });
  document.body.dataset.chartsReady = 'true';
})();
